import { GuardrailPolicy, type GuardrailPolicyInput } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { findPii, PiiDetector } from './pii.detector.js';
import { cardIssuerKnown, ibanValid, luhnValid, ssnValid } from './pii.validators.js';

/** The entities found in `text`, with the raw text of each span. */
function found(text: string): Array<[string, string]> {
  return findPii(new GuardText(text)).map((m) => [m.entity, text.slice(m.start, m.end)]);
}
const has = (text: string, entity: string) => found(text).some(([e]) => e === entity);

describe('PII recognisers', () => {
  describe('e-mail', () => {
    it('finds addresses, also spelled out or split by invisible characters', () => {
      expect(found('Write to ada.lovelace+news@example.co.uk today')).toEqual([['EMAIL', 'ada.lovelace+news@example.co.uk']]);
      expect(found('mail ada [at] example [dot] org')).toEqual([['EMAIL', 'ada [at] example [dot] org']]);
      expect(found('ada\u200b@example.org')).toEqual([['EMAIL', 'ada\u200b@example.org']]);
    });
    it('ignores things that only look like addresses', () => {
      expect(has('use the @decorator syntax', 'EMAIL')).toBe(false);
      expect(has('look at this dot later', 'EMAIL')).toBe(false);
    });
  });

  describe('phone numbers', () => {
    it.each(['+44 20 7946 0958', '+1 (415) 555-2671', '0049 30 901820', '(415) 555-2671', '415-555-2671', '+33 1 42 68 53 00'])('finds %j without context', (phone) => {
      expect(found(`reach me on ${phone} please`)).toEqual([['PHONE', phone]]);
    });
    it('finds national formats when context words say it is a phone number', () => {
      expect(found('Call 06-10446904 after five')).toEqual([['PHONE', '06-10446904']]);
      expect(found('office: 089 72 63 41')).toEqual([['PHONE', '089 72 63 41']]);
      expect(found('fax 833.719.3994x1887')).toEqual([['PHONE', '833.719.3994x1887']]);
    });
    it('ignores dates, versions, order numbers and prices', () => {
      expect(has('Released 2024-01-15, version 10.4.12', 'PHONE')).toBe(false);
      expect(has('order number 1234 5678 90', 'PHONE')).toBe(false);
      expect(has('It costs 1 299 000 euros', 'PHONE')).toBe(false);
    });
  });

  describe('credit cards', () => {
    it('finds Luhn-valid numbers of known issuers, in groups or as one run, also in fullwidth digits', () => {
      expect(found('card 4111 1111 1111 1111 exp 12/27')).toEqual([['CREDIT_CARD', '4111 1111 1111 1111']]);
      expect(found('amex 3782-822463-10005')).toEqual([['CREDIT_CARD', '3782-822463-10005']]);
      expect(found('5555555555554444')).toEqual([['CREDIT_CARD', '5555555555554444']]);
      expect(found('４１１１１１１１１１１１１１１１')).toEqual([['CREDIT_CARD', '４１１１１１１１１１１１１１１１']]);
    });
    it('rejects numbers that fail Luhn, have no known issuer or odd grouping', () => {
      expect(has('4111 1111 1111 1112', 'CREDIT_CARD')).toBe(false);
      expect(has('0000 0000 0000 0000', 'CREDIT_CARD')).toBe(false);
      expect(has('41 111 1111 1111 111', 'CREDIT_CARD')).toBe(false);
    });
  });

  describe('IBAN', () => {
    it('finds mod-97-valid IBANs of the right length for their country, spaced or not, any case', () => {
      expect(found('IBAN GB82 WEST 1234 5698 7654 32 thanks')).toEqual([['IBAN', 'GB82 WEST 1234 5698 7654 32']]);
      expect(found('de89370400440532013000')).toEqual([['IBAN', 'de89370400440532013000']]);
    });
    it('rejects a wrong check digit or length', () => {
      expect(has('GB83 WEST 1234 5698 7654 32', 'IBAN')).toBe(false);
      expect(has('DE8937040044053201300', 'IBAN')).toBe(false);
    });
  });

  describe('US SSN', () => {
    it('finds valid numbers with separators, and bare ones when the context says SSN', () => {
      expect(found('SSN: 536-22-1234')).toEqual([['US_SSN', '536-22-1234']]);
      expect(found('social security number 536221234')).toEqual([['US_SSN', '536221234']]);
    });
    it.each(['000-12-3456', '666-12-3456', '912-12-3456', '536-00-1234', '536-22-0000', '111-11-1111'])('rejects the invalid %s', (ssn) => {
      expect(has(`SSN ${ssn}`, 'US_SSN')).toBe(false);
    });
    it('hardening 8: still finds a published SSN such as 078-05-1120, with a lower score', () => {
      expect(found('my SSN is 078-05-1120')).toEqual([['US_SSN', '078-05-1120']]);
      expect(found('social security number 219099999')).toEqual([['US_SSN', '219099999']]);
      const [published] = findPii(new GuardText('SSN 078-05-1120'));
      const [other] = findPii(new GuardText('SSN 536-22-1234'));
      expect(published!.score).toBeLessThan(other!.score);
    });
    it('does not treat any nine digits as an SSN', () => {
      expect(has('tracking 536221234', 'US_SSN')).toBe(false);
    });
  });

  describe('IP addresses and URLs', () => {
    it('finds IPv4 and IPv6 addresses', () => {
      expect(found('from 192.168.10.254.')).toEqual([['IP_ADDRESS', '192.168.10.254']]);
      expect(found('host 2001:db8::8a2e:370:7334 down')).toEqual([['IP_ADDRESS', '2001:db8::8a2e:370:7334']]);
    });
    it('rejects out-of-range octets, version strings and clock times', () => {
      expect(has('999.1.1.1', 'IP_ADDRESS')).toBe(false);
      expect(has('v1.2.3.4.5', 'IP_ADDRESS')).toBe(false);
      expect(has('at 12:30:45 today', 'IP_ADDRESS')).toBe(false);
    });
    it('finds URLs without trailing punctuation', () => {
      expect(found('see https://example.com/a?b=1).')).toEqual([['URL', 'https://example.com/a?b=1']]);
      expect(found('or www.example.org/docs, thanks')).toEqual([['URL', 'www.example.org/docs']]);
    });
  });

  describe('dates of birth', () => {
    it('finds dates in a birth context only', () => {
      expect(found('I was born on 3/23/1940 in Ohio')).toEqual([['DATE_OF_BIRTH', '3/23/1940'], ['LOCATION', 'Ohio']]);
      expect(found('DOB: 14 March 1985')).toEqual([['DATE_OF_BIRTH', '14 March 1985']]);
      expect(has('The meeting is on 3/23/2025', 'DATE_OF_BIRTH')).toBe(false);
    });
  });

  describe('secrets', () => {
    it('finds keys by their known formats', () => {
      expect(found('key AKIAIOSFODNN7EXAMPLE')).toEqual([['SECRET', 'AKIAIOSFODNN7EXAMPLE']]);
      expect(has(`token ghp_${'a1B2c3D4e5'.repeat(4)}`, 'SECRET')).toBe(true);
      expect(has('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', 'SECRET')).toBe(true);
      expect(has('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'SECRET')).toBe(true);
      expect(has('-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'SECRET')).toBe(true);
    });
    it('needs evidence for a secret: an order id stays, a key with a known prefix is redacted', () => {
      expect(has('Where is my parcel? order [1842-77fa]', 'SECRET')).toBe(false);
      expect(found('Where is my parcel? order [1842-77fa]')).toEqual([]);
      expect(has('ticket 9CE203AD-5015-4468-9D34-B014F25EEA96, commit 075b7a03abc3f78df12f482b20d3c6bc88f960a4, tracking 1Z41JOGAT6D3I4ADJS', 'SECRET')).toBe(false);
      expect(found('Where is my parcel? my key is sk-proj-7wwaeChpbYypfUmbO7st8n7ZZSjjcfKpUQSvxqC43brr8YrY')).toEqual([['SECRET', 'sk-proj-7wwaeChpbYypfUmbO7st8n7ZZSjjcfKpUQSvxqC43brr8YrY']]);
    });

    it('marks a bare random token only after a credential word: a file id of the same shape stays', () => {
      const token = '17wwaeChpbYypfUmbO7st8n7ZZSjjcfKpUQSvxqC43br';
      expect(has(`please open file ${token} again`, 'SECRET')).toBe(false);
      expect(found(`my session cookie is now ${token}`)).toEqual([['SECRET', token]]);
    });

    it('finds assigned secrets by context and entropy, not placeholder values', () => {
      expect(found('api_key = "Zx8kQ2pL9mN4vB7c"')).toEqual([['SECRET', 'Zx8kQ2pL9mN4vB7c']]);
      expect(has('password: required', 'SECRET')).toBe(false);
      expect(has('a sha is 3f786850e387550fdab836ed7e6dc881de23001b', 'SECRET')).toBe(false);
    });
  });

  describe('person names', () => {
    it('finds names where context words make them likely', () => {
      expect(found('My name is Jessica van den Oord and I need help')).toEqual([['PERSON', 'Jessica van den Oord']]);
      expect(found('Please ask Dr. Brenda Eldarkhanov')).toEqual([['PERSON', 'Brenda Eldarkhanov']]);
      expect(found('Hi Heiðbrá, thanks')).toEqual([['PERSON', 'Heiðbrá']]);
      expect(found('Regards,\nMarta Kowalska')).toEqual([['PERSON', 'Marta Kowalska']]);
    });
    it('ignores capitalised words without such context', () => {
      expect(has('The New York office opens on Monday', 'PERSON')).toBe(false);
      expect(has("I'm French and I live in Lyon", 'PERSON')).toBe(false);
      expect(has('Dear Customer, your order shipped', 'PERSON')).toBe(false);
    });

    const persons = (text: string) => found(text).filter(([e]) => e === 'PERSON').map(([, v]) => v);

    it.each([
      ['Yesterday Jennifer Kowalski called about her order', 'Jennifer Kowalski'],
      ['The report from Giuseppe Rossi arrived late', 'Giuseppe Rossi'],
      ['Oluwaseun Adeyemi will join the call', 'Oluwaseun Adeyemi'],
      ['Priya Sharma reviewed the contract', 'Priya Sharma'],
      ['Nguyen Van Minh signed for the parcel', 'Nguyen Van Minh'],
      ["Siobhan O'Brien approved the refund", "Siobhan O'Brien"],
      ['Guðrún Jónsdóttir lives in Reykjavík', 'Guðrún Jónsdóttir'],
      ['Вчера Иван Петров позвонил в банк', 'Иван Петров'],
      ['Ο Γιώργος Παπαδόπουλος έστειλε email', 'Γιώργος Παπαδόπουλος'],
      ['Jennifer is on leave this week', 'Jennifer'],
    ])('finds the known given names and surnames of many languages without other context: %j', (text, name) => {
      expect(persons(text)).toEqual([name]);
    });

    it('finds Japanese, Chinese and Korean names before an honorific', () => {
      expect(persons('田中さんに連絡してください')).toEqual(['田中']);
      expect(persons('请联系王先生确认订单')).toEqual(['王']);
      expect(persons('김민준 씨에게 전화하세요')).toEqual(['김민준']);
      expect(has('오늘 날씨가 좋네요', 'PERSON')).toBe(false);
    });

    it('finds unlisted names after the new cues: possessives, role and kin nouns, name questions, dialogue, lists', () => {
      expect(persons("Please update Okoye's passport details")).toEqual(['Okoye']);
      expect(persons('We admitted the patient Xochitl Ixtlahuac yesterday')).toEqual(['Xochitl Ixtlahuac']);
      expect(persons('I am writing for my wife Anneliese')).toEqual(['Anneliese']);
      expect(persons("What's your name? Dagny Thorsrud")).toEqual(['Dagny Thorsrud']);
      expect(persons('Arwen: "Who are you?"\nBeorn: "A friend."')).toEqual(['Arwen', 'Beorn']);
      expect(persons('The panel: Jennifer, Oluwaseun, Tamsin and Ricardo')).toEqual(['Jennifer', 'Oluwaseun', 'Tamsin', 'Ricardo']);
      expect(persons('Dr. Okonjo will attend. Okonjo chairs the panel.')).toEqual(['Okonjo', 'Okonjo']);
    });

    it('finds names in text typed without capitals only with a surname or a strong cue', () => {
      expect(persons('hi, my name is marie dubois and i need help')).toEqual(['marie dubois']);
      expect(persons('can you email jessica kowalski about it')).toEqual(['jessica kowalski']);
      expect(has('i will mark the grace period in may', 'PERSON')).toBe(false);
    });

    it('sees through invisible characters, fullwidth letters and doubled spaces', () => {
      expect(persons('Jen\u200bnifer Kowalski asked for a refund')).toEqual(['Jen\u200bnifer Kowalski']);
      expect(persons('Ｊｅｎｎｉｆｅｒ Ｋｏｗａｌｓｋｉ asked for a refund')).toEqual(['Ｊｅｎｎｉｆｅｒ Ｋｏｗａｌｓｋｉ']);
      expect(persons('Jennifer  Kowalski asked for a refund')).toEqual(['Jennifer  Kowalski']);
    });

    it.each([
      'Will you check the order? Grace period ends Monday.',
      'May I ask about June and August?',
      'See you on Monday, June 5',
      'She moved from Florence to Victoria last year',
      'San Francisco and Port Elizabeth are far apart',
      'The office is on Jefferson Street near Lincoln Memorial',
      'Jones, Mitchell and Williams LLP sent the invoice',
      'Train it with the Adam optimizer and convert dates to the Julian calendar',
      'Bacterial Growth in Petri Dishes',
      'QUARTERLY REVIEW FOR JENNIFER',
      'Ask Alexa or Siri to play music, or compare Claude and ChatGPT',
      'I use Ruby and Julia for data work',
      'Product Name: Smartphone',
      'Hello World',
      'The Tang Dynasty invented paper money before Hurricane Sandy hit New Jersey',
      'Sierra Leone, Costa Rica and Saint Lucia',
    ])('does not flag sentence-initial words, months, days, places, products, firms or headings: %j', (text) => {
      expect(persons(text)).toEqual([]);
    });
  });
});

describe('PII validators', () => {
  it('implement Luhn, issuer prefixes, IBAN mod 97 and SSN rules', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(cardIssuerKnown('4111111111111111')).toBe(true);
    expect(cardIssuerKnown('9111111111111111')).toBe(false);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanValid('XX82WEST12345698765432')).toBe(false);
    expect(ssnValid('536', '22', '1234')).toBe(true);
    expect(ssnValid('900', '22', '1234')).toBe(false);
  });
});

describe('PiiDetector', () => {
  const detector = new PiiDetector();
  const check = (text: string, policy: GuardrailPolicyInput = {}, phase: 'input' | 'output' = 'input') =>
    detector.check(new GuardText(text), { phase, source: phase === 'input' ? 'message' : 'completion', policy: GuardrailPolicy.parse(policy) });

  it('redacts by default, with spans and counts but no raw values in the reason', () => {
    const [v] = check('Mail ada@example.org or call +44 20 7946 0958');
    expect(v).toMatchObject({ decision: 'redact', detector: 'pii', rule: 'EMAIL,PHONE' });
    expect(v!.spans).toEqual([
      { entity: 'EMAIL', start: 5, end: 20 },
      { entity: 'PHONE', start: 29, end: 45 },
    ]);
    expect(v!.reason).not.toContain('ada');
  });

  it('applies per-entity actions and an allow list', () => {
    const policy: GuardrailPolicyInput = { input: { pii: { default: 'redact', entities: { CREDIT_CARD: 'block', URL: 'allow' }, allow: ['help@shop.example'] } } };
    const verdicts = check('Card 4111 1111 1111 1111, see https://shop.example, write help@shop.example or ada@example.org', policy);
    expect(verdicts.map((v) => [v.decision, v.rule])).toEqual([
      ['block', 'CREDIT_CARD'],
      ['redact', 'EMAIL'],
    ]);
    expect(verdicts[1]!.spans).toHaveLength(1);
  });

  it('records without acting under `warn`, and does nothing under `allow`', () => {
    expect(check('ada@example.org', { input: { pii: 'warn' } })[0]).toMatchObject({ decision: 'pass', rule: 'EMAIL' });
    expect(check('ada@example.org', { input: { pii: 'allow' } })).toEqual([{ phase: 'input', decision: 'pass', detector: 'pii', spans: [] }]);
  });

  it('redacts person names under the default policy and never blocks them', () => {
    const verdicts = check('Please ask Jennifer Kowalski about the refund');
    expect(verdicts.map((v) => [v.decision, v.rule])).toEqual([['redact', 'PERSON']]);
    expect(verdicts[0]!.spans).toEqual([{ entity: 'PERSON', start: 11, end: 28 }]);
  });

  it('uses the output policy in the output phase', () => {
    expect(check('ada@example.org', { output: { pii: 'block' } }, 'output')[0]!.decision).toBe('block');
  });
});
