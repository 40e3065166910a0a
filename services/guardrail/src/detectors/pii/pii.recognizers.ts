import { isIPv6 } from 'node:net';
import type { PiiEntity } from '../../policy/guardrail-policy.js';
import type { GuardText } from '../../text/guard-text.js';
import { cardIssuerKnown, entropy, IBAN_LENGTHS, ibanValid, luhnValid, ssnValid } from './pii.validators.js';

export interface PiiMatch {
  entity: PiiEntity;
  /** Offsets into the raw text. */
  start: number;
  end: number;
  /** Confidence 0–1; overlaps are resolved in favour of the higher score. */
  score: number;
}

type Candidate = { entity: PiiEntity; start: number; end: number; score: number };

// All patterns run on the `clean` view (case and accents kept) and use bounded quantifiers only.
// Local part: RFC 5322 atext and dots; domain: labels and an alphabetic (or punycode) top-level domain.
const EMAIL = /(?<![\w.!#$%&'*+/=?^`{|}~-])[\w!#$%&'*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})(?![\w-]|\.[A-Za-z0-9])/g;
const EMAIL_SPOKEN =
  /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}\s{0,3}(?:[[(<{]\s{0,2}(?:at|AT|@)\s{0,2}[\])>}]|\s(?:at|AT)\s)\s{0,3}[A-Za-z0-9-]{1,63}(?:\s{0,3}(?:[[(<{]\s{0,2}(?:dot|DOT|\.)\s{0,2}[\])>}]|\s(?:dot|DOT)\s)\s{0,3}[A-Za-z0-9-]{1,63}){1,4}\b/g;
const URL_SCHEME = /\b(?:https?|ftp|wss?):\/\/[^\s<>"'`{}|\\^[\]]{1,2048}/gi;
const URL_WWW = /(?<![\w@./-])www\.[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?:[/?#][^\s<>"'`{}|\\^[\]]{0,2048})?/gi;
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g;
const IBAN_START = /\b[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])/g;
const SSN = /(?<![\d-])(\d{3})([- .])(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_BARE = /(?<![\d-])(\d{3})(\d{2})(\d{4})(?![\d-])/g;
const SSN_CONTEXT = /\b(?:ssn|social\s+security|soc\.?\s+sec|ss#|ss\s+no)\b/i;
const IPV4 = /(?<![\w.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?!\w|\.\d)/g;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|::?)(?:[0-9A-Fa-f]{0,4}:){1,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/g;
const PHONE = /(?<![\w+./-])(?:\+|00)?\(?\d[\d ()./-]{5,22}\d(?:[ ]{0,2}(?:x|ext\.?|extension|#)[ ]{0,2}\d{1,6})?(?![\w/]|[.-]\d)/gi;
const PHONE_CONTEXT =
  /\b(?:phone|tel|telephone|mobile|cell|cellphone|call(?:ing)?|fax|office|contact|reach|whats\s?app|sms|text(?:ing)?|dial|ring|hotline|landline|ph|mob|answering|voicemail|number|no|nr|home|work|direct|switchboard)\b/i;
const NOT_PHONE_CONTEXT =
  /\b(?:order|invoice|account|acct|ticket|reference|ref|tracking|case|serial|customer|member|policy|id|card|routing|iban|ssn|license|licence|passport|isbn|zip|postal|postcode|sku|model|part|version|amount|total|price|usd|eur|gbp)\b[^.\n]{0,20}$/i;
const DATE =
  /\b(?:(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}[/.-](?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s{1,3}(?:of\s{1,3})?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s{1,3}(?:19|20)\d{2}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s{1,3}(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s{1,3}(?:19|20)\d{2})\b/gi;
const BIRTH_CONTEXT = /\b(?:born|birth|birthday|birthdate|dob|d\.o\.b|date\s+of\s+birth|geboren|geburtsdatum|n[ée]e?\s+le|nacid[oa]|fecha\s+de\s+nacimiento|data\s+di\s+nascita)\b/i;

const SECRET_FORMATS: ReadonlyArray<RegExp> = [
  /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{60,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,250}\b/g, // Slack
  /\bhttps:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,200}/g,
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247}\b/g, // Stripe
  /\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d{2}-)?)?[A-Za-z0-9_-]{20,250}\b/g, // OpenAI, Anthropic
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\bya29\.[0-9A-Za-z_-]{20,500}\b/g, // Google OAuth access token
  /\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}\b/g, // JWT
  /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, // SendGrid
  /\bSK[0-9a-fA-F]{32}\b/g, // Twilio
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bhf_[A-Za-z0-9]{34,}\b/g, // Hugging Face
  /\bdop_v1_[a-f0-9]{64}\b/g, // DigitalOcean
  /\bshpat_[a-fA-F0-9]{32}\b/g, // Shopify
  /\b(?:r|s)k_live_[A-Za-z0-9]{24,}\b/g,
  /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,10000}?(?:-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqps?):\/\/[^\s:@/]{1,100}:[^\s@/]{1,200}@/g, // credentials in a connection URL
];
const SECRET_ASSIGNMENT =
  /\b(?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|secret|client[_-]?secret|access[_-]?key(?:[_-]?id)?|auth[_-]?token|access[_-]?token|refresh[_-]?token|token|bearer|private[_-]?key|password|passwd|pwd|passphrase)\b["']?\s{0,3}(?:[:=]|=>|\bis\b)\s{0,3}["']?([^\s"'`,;<>]{6,300})/gi;
const BEARER = /\bBearer\s+([A-Za-z0-9._~+/-]{16,2000}=*)/g;
const HIGH_ENTROPY = /(?<![\w+/=-])[A-Za-z0-9+/_-]{32,512}={0,2}(?![\w+/=-])/g;

const MONTH_DAY_WORDS =
  'January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const NOT_NAMES = new Set(
  (
    'I|A|An|The|This|That|These|Those|It|We|You|He|She|They|My|Your|Our|Their|His|Her|Its|Please|Thanks|Thank|Hello|Hi|Hey|Dear|Yes|No|Ok|Okay|Sorry|Sir|Madam|' +
    'Team|Customer|Customers|Support|Service|Services|Sales|Manager|Admin|User|Users|Everyone|All|There|Here|God|Mister|Doctor|Professor|Agent|Staff|Department|' +
    'Office|Company|Inc|Ltd|Llc|Bank|University|College|School|Hospital|Street|Road|Avenue|Lane|Drive|City|County|State|Country|Group|Corp|Corporation|Foundation|' +
    'English|French|German|Spanish|Italian|American|British|Canadian|Chinese|Japanese|Indian|Russian|Dutch|Swedish|Norwegian|Danish|Polish|Mexican|Brazilian|' +
    'Australian|Irish|Scottish|Welsh|European|African|Asian|Christian|Muslim|Jewish|Catholic|Not|Just|Also|Very|So|Still|Fine|Good|Great|Happy|Back|Done|Ready|' +
    'New|Sure|Glad|Interested|Available|Unable|Able|Looking|Writing|Calling|Trying|Going|Here|Currently|Now|Today|Tomorrow|Yesterday|Morning|Evening|Afternoon|' +
    'Christmas|Easter|Best|Kind|Warm|Regards|Sincerely|Cheers|Love|Yours|Truly|Friend|Friends|Guys|Folks|Mom|Dad|Mum|Mother|Father|Brother|Sister|Son|Daughter|' +
    'Apt|Apartment|Suite|Unit|Floor|Box|Building|Room|Weekly|Daily|Monthly|Magazine|News|Times|Post|Journal|Networks|Network|Services|Systems|Technologies|Solutions|' +
    'Wife|Husband|Baby|Honey|Boss|Bot|Assistant|Chatbot|Model|System|Ai|Gpt|Chatgpt|Note|Subject|Re|Fw|Fwd|Attn|Name|From|To|Cc|Date|Time|Phone|Email|Mail|Address|' +
    MONTH_DAY_WORDS
  ).split('|'),
);
const NAME_TOKEN = "\\p{Lu}\\p{M}*(?:['’]\\p{Lu}|\\p{Ll}{1,2}\\p{Lu})?[\\p{Ll}\\p{M}]{1,24}(?:-\\p{Lu}[\\p{Ll}\\p{M}]{1,24})?(?![\\p{L}\\p{M}])";
const SUFFIX = '(?:,?[ \\t]{1,2}(?:Jr|Sr|II|III|IV|MD|DDS|DVM|PhD|Esq|CPA|RN|DO)\\b\\.?)?';
const PARTICLE = "(?:van|von|de|der|den|da|di|del|della|le|la|du|dos|das|bin|ibn|al|el|ter|ten|st\\.?|y|e)";
const FULL_NAME = `${NAME_TOKEN}(?:[ \\t]{1,2}(?:\\p{Lu}\\.[ \\t]{1,2})?(?:${PARTICLE}[ \\t]{1,2}){0,2}${NAME_TOKEN}){0,3}${SUFFIX}`;
const PERSON_CUES: ReadonlyArray<{ re: RegExp; score: number; minTokens: number }> = [
  { re: new RegExp(`\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Fr|Sra|Srta|Herr|Frau|Mme|Mlle|Capt|Col|Gen|Lt|Sgt|Hon)\\.?\\s{1,2}(${FULL_NAME})`, 'gu'), score: 0.9, minTokens: 1 },
  {
    re: new RegExp(
      `\\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Yy]our|[Tt]he)\\s{1,2}(?:(?:full|first|last|legal|maiden|middle|real|given|family|sur)\\s{0,2})?(?:name|surname)\\s{1,2}(?:is|was|:|=)\\s{1,2}(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\\.?\\s{1,2})?(${FULL_NAME})`,
      'gu',
    ),
    score: 0.9,
    minTokens: 1,
  },
  { re: new RegExp(`(?:^|\\n|\\b)(?:[Ff]ull\\s)?(?:[Nn]ame|NAME|[Cc]ustomer|[Pp]atient|[Cc]lient|[Cc]ontact|[Rr]ecipient|[Ss]ender|[Aa]pplicant|[Ee]mployee|[Cc]ardholder|[Aa]ccount\\s[Hh]older|[Aa]ttn|[Aa]ttention|[Ff]rom|[Tt]o|[Cc]c|[Ss]igned|[Aa]uthor|[Ww]itness)\\s{0,2}:\\s{0,2}(${FULL_NAME})`, 'gu'), score: 0.85, minTokens: 1 },
  { re: new RegExp(`\\b(?:[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey|[Gg]reetings|[Tt]hanks|[Tt]hank\\syou|[Cc]ongratulations|[Cc]ongrats|[Ww]elcome|[Gg]ood\\s(?:morning|afternoon|evening))\\s{0,2},?\\s{1,2}(${FULL_NAME})(?![\\p{L}\\p{M}])`, 'gu'), score: 0.8, minTokens: 1 },
  { re: new RegExp(`\\b(?:[Rr]egards|[Ss]incerely|[Cc]heers|[Tt]hanks|[Bb]est|[Yy]ours(?:\\s(?:truly|faithfully|sincerely))?|[Ww]arm(?:ly|\\sregards)|[Ll]ove|[Xx]oxo)\\s{0,2},?\\s{0,2}\\n\\s{0,3}(${FULL_NAME})`, 'gu'), score: 0.85, minTokens: 1 },
  { re: new RegExp(`\\b(?:[Ii]\\s?am|[Ii]'m|[Tt]his\\sis|[Mm]y\\sname's|[Ii]t's|[Ii]t\\sis)\\s{1,2}(${FULL_NAME})(?=\\s{0,2}(?:[,.!?;:]|$|\\n|and\\b|from\\b|here\\b|speaking\\b|calling\\b|with\\b|of\\b|at\\b))`, 'gu'), score: 0.75, minTokens: 1 },
  { re: new RegExp(`\\b(?:named|called|nicknamed|aka|a\\.k\\.a\\.)\\s{1,2}(${FULL_NAME})`, 'gu'), score: 0.75, minTokens: 1 },
  {
    re: new RegExp(
      `\\b(?:ask\\sfor|speak\\s(?:to|with)|talk\\s(?:to|with)|spoke\\s(?:to|with)|contact(?:ed)?|email(?:ed)?|e-mail(?:ed)?|call(?:ed)?|met|meet|married|marry|visit(?:ed)?|by|cc|told|asked|thank|thanked|introduce|introduced|hired|fired|sued|paid|pay|message|messaged|text|texted|assign(?:ed)?\\sto|behalf\\sof|son\\sof|daughter\\sof|wife\\sof|husband\\sof|friend\\sof)\\s{1,2}(${NAME_TOKEN}\\s{1,2}(?:\\p{Lu}\\.\\s{1,2})?(?:${PARTICLE}\\s{1,2})?${NAME_TOKEN}${SUFFIX})`,
      'gu',
    ),
    score: 0.6,
    minTokens: 2,
  },
  { re: new RegExp(`(${NAME_TOKEN}\\s{1,2}(?:\\p{Lu}\\.\\s{1,2})?(?:${PARTICLE}\\s{1,2})?${NAME_TOKEN})(?=\\s{1,2}(?:said|says|wrote|writes|asked|asks|told|replied|called|emailed|is\\s(?:a|an|the|my|our|your)|was\\s(?:a|an|the|born)|has\\sbeen|will\\sbe|lives|lived|works|worked|died|passed\\saway)\\b)`, 'gu'), score: 0.6, minTokens: 2 },
];

/** Finds PII in a text: candidates from every recogniser, overlaps resolved by confidence then length. */
export function findPii(text: GuardText): PiiMatch[] {
  const view = text.clean;
  const s = view.text;
  const out: Candidate[] = [];
  const add = (entity: PiiEntity, start: number, end: number, score: number) => {
    if (end > start) out.push({ entity, start, end, score });
  };

  for (const re of SECRET_FORMATS) for (const m of s.matchAll(re)) add('SECRET', m.index, m.index + m[0].length, 0.99);
  for (const m of s.matchAll(SECRET_ASSIGNMENT)) {
    const value = trimTrailing(m[1]!);
    const start = m.index + m[0].length - m[1]!.length;
    if (value.length < 6 || /^(?:null|none|true|false|undefined|required|optional|string|example|your[\w-]*|xxx+|\*+|\.+)$/i.test(value)) continue;
    const mixed = /\d/.test(value) || /[^\w]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
    if (mixed || entropy(value) >= 3.5) add('SECRET', start, start + value.length, 0.9);
  }
  for (const m of s.matchAll(BEARER)) add('SECRET', m.index + m[0].length - m[1]!.length, m.index + m[0].length, 0.95);
  for (const m of s.matchAll(HIGH_ENTROPY)) {
    const token = m[0];
    const classes = Number(/[a-z]/.test(token)) + Number(/[A-Z]/.test(token)) + Number(/\d/.test(token));
    if (classes === 3 && entropy(token) >= 4.2) add('SECRET', m.index, m.index + token.length, 0.7);
  }

  for (const m of s.matchAll(EMAIL)) add('EMAIL', m.index, m.index + m[0].length, 0.95);
  for (const m of s.matchAll(EMAIL_SPOKEN)) {
    const bracketed = /[[(<{]/.test(m[0]);
    // Spelled out without brackets ("ada at example dot com"), it has to end in a common top-level domain.
    if (!bracketed && !/\s(?:dot|DOT)\s(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|ca|au|us|info|biz|me|ch|se|no|dk|pl|jp|in|br|ru)$/i.test(m[0])) continue;
    add('EMAIL', m.index, m.index + m[0].length, 0.75);
  }
  for (const re of [URL_SCHEME, URL_WWW]) {
    for (const m of s.matchAll(re)) add('URL', m.index, m.index + trimUrl(m[0]).length, re === URL_SCHEME ? 0.96 : 0.9);
  }

  for (const m of s.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) continue;
    if (!luhnValid(digits) || !cardIssuerKnown(digits) || !cardGroupsPlausible(m[0])) continue;
    add('CREDIT_CARD', m.index, m.index + m[0].length, 0.95);
  }
  for (const m of s.matchAll(IBAN_START)) {
    const found = readIban(s, m.index);
    if (found) add('IBAN', m.index, found.end, 0.98);
  }
  for (const m of s.matchAll(SSN)) {
    if (ssnValid(m[1]!, m[3]!, m[4]!)) add('US_SSN', m.index, m.index + m[0].length, 0.85);
  }
  for (const m of s.matchAll(SSN_BARE)) {
    if (ssnValid(m[1]!, m[2]!, m[3]!) && SSN_CONTEXT.test(s.slice(Math.max(0, m.index - 50), m.index))) add('US_SSN', m.index, m.index + m[0].length, 0.8);
  }
  for (const m of s.matchAll(IPV4)) add('IP_ADDRESS', m.index, m.index + m[0].length, 0.85);
  for (const m of s.matchAll(IPV6)) {
    const candidate = m[0];
    if ((candidate.includes('::') || candidate.split(':').length === 8) && candidate.split(':').length >= 4 && isIPv6(candidate)) {
      add('IP_ADDRESS', m.index, m.index + candidate.length, 0.85);
    }
  }
  for (const m of s.matchAll(DATE)) {
    const before = s.slice(Math.max(0, m.index - 60), m.index);
    const after = s.slice(m.index + m[0].length, m.index + m[0].length + 25);
    if (BIRTH_CONTEXT.test(before) || /^\s{0,3}\(?(?:dob|born|birth)/i.test(after)) add('DATE_OF_BIRTH', m.index, m.index + m[0].length, 0.85);
  }
  for (const m of s.matchAll(PHONE)) phoneCandidate(s, m.index, m[0], add);
  for (const cue of PERSON_CUES) {
    for (const m of s.matchAll(cue.re)) {
      const name = trimName(m[1]!, cue.minTokens);
      if (!name) continue;
      const start = m.index + m[0].indexOf(m[1]!);
      add('PERSON', start, start + name.length, cue.score);
    }
  }

  return resolve(out).map((c) => {
    const range = view.range(c.start, c.end);
    return { entity: c.entity, start: range.start, end: range.end, score: c.score };
  });
}

function resolve(candidates: Candidate[]): Candidate[] {
  candidates.sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Candidate[] = [];
  for (const c of candidates) {
    if (kept.some((k) => c.start < k.end && k.start < c.end)) continue;
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function trimTrailing(value: string): string {
  return value.replace(/[.,;:!?)\]}>]+$/, '');
}

function trimUrl(url: string): string {
  let out = url.replace(/[.,;:!?'"*]+$/, '');
  while (out.endsWith(')') && (out.match(/\(/g)?.length ?? 0) < (out.match(/\)/g)?.length ?? 0)) out = out.slice(0, -1).replace(/[.,;:!?'"*]+$/, '');
  return out;
}

/** Cards are written as one run or in groups of 4 (4-6-5 and 4-6-4 for Amex and Diners). */
function cardGroupsPlausible(raw: string): boolean {
  const groups = raw.split(/[ -]/);
  if (groups.length === 1) return true;
  const sizes = groups.map((g) => g.length).join('-');
  return /^4-4-4-4(?:-[1-3])?$|^4-6-5$|^4-6-4$|^4-4-4-[1-3]$|^4-4-4-4-4$/.test(sizes);
}

/** Reads an IBAN of its country's exact length from `start`, allowing single spaces between characters. */
function readIban(s: string, start: number): { end: number } | null {
  const country = s.slice(start, start + 2).toUpperCase();
  const length = IBAN_LENGTHS[country];
  if (!length) return null;
  let compact = '';
  let i = start;
  while (i < s.length && compact.length < length) {
    const ch = s[i]!;
    if (/[A-Za-z0-9]/.test(ch)) {
      compact += ch.toUpperCase();
      i++;
    } else if (ch === ' ' && compact.length >= 4 && /[A-Za-z0-9]/.test(s[i + 1] ?? '')) {
      i++;
    } else {
      break;
    }
  }
  if (compact.length !== length || /[A-Za-z0-9]/.test(s[i] ?? '')) return null;
  return ibanValid(compact) ? { end: i } : null;
}

type Add = (entity: PiiEntity, start: number, end: number, score: number) => void;

/**
 * A run of digits and separators is a phone number when its shape says so (international `+`/`00`
 * prefix, North American 3-3-4) or when context words (call, phone, fax, office…) sit nearby.
 */
function phoneCandidate(s: string, index: number, raw: string, add: Add): void {
  let text = raw.replace(/[ ./-]+$/, '');
  const ext = /[ ]{0,2}(?:x|ext\.?|extension|#)[ ]{0,2}\d{1,6}$/i.exec(text);
  const body = ext ? text.slice(0, ext.index) : text;
  if (/[ ./-]{2,}/.test(body.replace(/\) /g, ')'))) return;
  const opens = (body.match(/\(/g) ?? []).length;
  if (opens !== (body.match(/\)/g) ?? []).length || opens > 1) return;
  const digits = body.replace(/\D/g, '');
  const international = /^(?:\+|00)/.test(body);
  if (digits.length < 6 || digits.length > 15) return;
  const groups = body.replace(/^\+/, '').split(/[ ./()-]+/).filter(Boolean);
  if (groups.some((g) => g.length > 12)) return;
  // Dates, times, decimals and version numbers are not phone numbers.
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/.test(body) || /^\d{4}-\d{2}-\d{2}/.test(body)) return;
  if (/^\d+\.\d+$/.test(body)) return;
  const nanp = /^(?:\+?1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4}$/.test(body);
  const before = s.slice(Math.max(0, index - 45), index);
  const after = s.slice(index + raw.length, index + raw.length + 20);
  if (NOT_PHONE_CONTEXT.test(before)) return;
  const context = PHONE_CONTEXT.test(before) || /^[\s,;:)\\-]{0,3}(?:\(?(?:phone|tel|mobile|cell|fax|office|home|work|direct)\b)/i.test(after);
  const grouped = groups.length >= 2 || /^0\d{8,11}$/.test(digits);
  let score = 0;
  if (international && digits.length >= 8) score = 0.85;
  else if (nanp) score = 0.8;
  else if (context && grouped) score = 0.7;
  else if (context && digits.length >= 9) score = 0.6;
  else if (context && groups.length >= 3 && digits.length >= 6) score = 0.6;
  if (score === 0) return;
  text = body + (ext ? ext[0] : '');
  add('PHONE', index, index + text.length, score);
}

/** Drops leading and trailing words that are not names; the name's length in `name`, or null. */
function trimName(name: string, minTokens: number): string | null {
  const tokens = [...name.matchAll(/\S+/g)];
  let last = tokens.length - 1;
  while (last >= 0 && NOT_NAMES.has(tokens[last]![0])) last--;
  if (last < 0 || NOT_NAMES.has(tokens[0]![0])) return null;
  const kept = tokens.slice(0, last + 1);
  if (kept.filter((t) => /^\p{Lu}/u.test(t[0])).length < minTokens) return null;
  const lastToken = kept[kept.length - 1]!;
  return name.slice(0, lastToken.index + lastToken[0].length);
}
