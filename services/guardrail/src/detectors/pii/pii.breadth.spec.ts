import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardrailPolicy } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { loadIdFormats, SHIPPED_ID_FORMATS } from './id-formats.js';
import { findPii, PiiDetector } from './pii.detector.js';
import { deTaxIdValid, esNifValid, frNirValid, itFiscalCodeValid, ukNinoValid } from './pii.validators.js';

const found = (text: string) => findPii(new GuardText(text)).map((m) => [m.entity, text.slice(m.start, m.end)]);
const of = (text: string, entity: string) => found(text).filter(([e]) => e === entity).map(([, v]) => v);

describe('national id checksums', () => {
  it('accepts valid numbers and refuses a changed check character', () => {
    expect(ukNinoValid('AB123456C')).toBe(true);
    expect(ukNinoValid('GB123456C')).toBe(false); // a prefix HMRC never issues
    expect(deTaxIdValid('86095742719')).toBe(true);
    expect(deTaxIdValid('86095742718')).toBe(false);
    expect(deTaxIdValid('12345678903')).toBe(false); // check digit fits, but no digit repeats
    expect(frNirValid('185057800608491')).toBe(true);
    expect(frNirValid('185057800608492')).toBe(false);
    expect(esNifValid('12345678Z')).toBe(true);
    expect(esNifValid('12345678A')).toBe(false);
    expect(esNifValid('X1234567L')).toBe(true);
    expect(itFiscalCodeValid('RSSMRA85T10A562S')).toBe(true);
    expect(itFiscalCodeValid('RSSMRA85T10A562T')).toBe(false);
  });
});

describe('ids, documents and addresses in text', () => {
  it('finds national ids by format and checksum, with spaces as people write them', () => {
    expect(of('My NI number is AB 12 34 56 C.', 'UK_NINO')).toEqual(['AB 12 34 56 C']);
    expect(of('Steuer-ID: 86095742719', 'DE_TAX_ID')).toEqual(['86095742719']);
    expect(of('numéro de sécurité sociale 1 85 05 78 006 084 91', 'FR_NIR')).toEqual(['1 85 05 78 006 084 91']);
    expect(of('DNI 12345678Z, NIE X-1234567-L', 'ES_NIF')).toEqual(['12345678Z', 'X-1234567-L']);
    expect(of('codice fiscale RSSMRA85T10A562S', 'IT_FISCAL_CODE')).toEqual(['RSSMRA85T10A562S']);
  });

  it('does not take a number with a wrong checksum or without its context word for an id', () => {
    expect(of('My NI number is AB 12 34 56 E.', 'UK_NINO')).toEqual([]);
    expect(of('Order 86095742719 shipped', 'DE_TAX_ID')).toEqual([]);
    expect(of('DNI 12345678A', 'ES_NIF')).toEqual([]);
    expect(of('Invoice 123456789 is due', 'PASSPORT')).toEqual([]);
  });

  it('finds passport and driving-licence numbers after the words that name them', () => {
    expect(of('my passport number is 123456789', 'PASSPORT')).toEqual(['123456789']);
    expect(of('Reisepass: C01X00T47', 'PASSPORT')).toEqual(['C01X00T47']);
    expect(of("my driver's license number is A125325867", 'DRIVER_LICENSE')).toEqual(['A125325867']);
    expect(of('licence MORGA753116SM9IJ on file', 'DRIVER_LICENSE')).toEqual(['MORGA753116SM9IJ']);
  });

  it('finds street addresses with the rest of their block', () => {
    expect(of('Meet at 221B Baker Street, London NW1 6XE tomorrow', 'ADDRESS')).toEqual(['221B Baker Street, London NW1 6XE']);
    expect(of('Send it to 19 rue La Boétie', 'ADDRESS')).toEqual(['19 rue La Boétie']);
    expect(of('Wir wohnen in der Kuefsteinstrasse 91', 'ADDRESS')).toEqual(['Kuefsteinstrasse 91']);
    expect(of('ul. Zuchów 65\nApt. 291\nDąbrowa Górnicza\nPoland 41-300', 'ADDRESS')).toEqual(['ul. Zuchów 65\nApt. 291\nDąbrowa Górnicza']);
    expect(of('My zip code is 98547', 'ADDRESS')).toEqual(['98547']);
    expect(of('P.O. Box 101', 'ADDRESS')).toEqual(['P.O. Box 101']);
  });

  it('does not take a number before ordinary words for an address', () => {
    expect(of('I bought 3 Large Pizzas and 2 drinks', 'ADDRESS')).toEqual([]);
    expect(of('Chapter 12 explains the method', 'ADDRESS')).toEqual([]);
  });

  it('finds countries, cities and cued places; a place that is also a name needs a cue', () => {
    expect(of('He moved from Austria to Kraków last year', 'LOCATION')).toEqual(['Austria', 'Kraków']);
    expect(of('I am in Porsgrunn for a business trip', 'LOCATION')).toEqual(['Porsgrunn']);
    expect(of('Jordan Peterson wrote a book', 'LOCATION')).toEqual([]);
    expect(of('She lives in Jordan', 'LOCATION')).toEqual(['Jordan']);
  });

  it('finds organisations by their legal form and by where people work', () => {
    expect(of('Invoices go to Acme Widgets Inc. by Friday', 'ORGANIZATION')).toEqual(['Acme Widgets Inc.']);
    expect(of('She works at Redfin now', 'ORGANIZATION')).toEqual(['Redfin']);
  });
});

describe('places and organisations are quasi-identifiers', () => {
  const check = (text: string, pii: unknown) => new PiiDetector().check(new GuardText(text), { phase: 'input', source: 'message', policy: GuardrailPolicy.parse({ input: { pii } }) });

  it('are recorded, not redacted, unless the policy names them', () => {
    const [v] = check("What's the weather in Paris?", 'redact');
    expect(v).toMatchObject({ decision: 'pass', rule: 'LOCATION' });
    const [named] = check("What's the weather in Paris?", { default: 'redact', entities: { LOCATION: 'redact' } });
    expect(named).toMatchObject({ decision: 'redact', rule: 'LOCATION' });
  });

  it('run only with the recognisers the policy names', () => {
    expect(check('Call Dr. Ana Souza at ana@example.org', { recognizers: ['rules'] }).flatMap((v) => v.spans.map((s) => s.entity))).toEqual(['EMAIL']);
  });
});

describe('id formats file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'id-formats-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an unknown checksum or a pattern that does not compile, naming the entry', () => {
    const data = JSON.parse(readFileSync(SHIPPED_ID_FORMATS, 'utf8')) as { formats: Array<Record<string, unknown>> };
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...data, formats: [{ ...data.formats[0], checksum: 'luhn-ish' }] }));
    expect(() => loadIdFormats(join(dir, 'a.json'))).toThrow(/^pii-id-formats.json: formats.0.checksum: /);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...data, formats: [{ ...data.formats[0], pattern: 'a{2,1}' }] }));
    expect(() => loadIdFormats(join(dir, 'b.json'))).toThrow(/^pii-id-formats.json: formats.0.pattern: /);
  });
});
