import { isIPv6 } from 'node:net';
import type { PiiEntity } from '../../policy/guardrail-policy.js';
import type { GuardText } from '../../text/guard-text.js';
import { cardIssuerKnown, entropy, IBAN_LENGTHS, ibanValid, luhnValid, ssnValid } from './pii.validators.js';
import { isPublishedSsn } from './us-ssn-published.js';

import { AddressRules } from './address.rules.js';
import { findIds, loadIdFormats, type IdFormat } from './id-formats.js';
import { PiiLexicon } from './lexicon/pii-lexicon.js';
import type { LocalSpanRecognizer, PiiMatch } from './span-recognizer.js';

type Candidate = PiiMatch;

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
// A published SSN (an advert's, a textbook example) is less likely someone's own, but is still redacted.
const PUBLISHED_SSN_SCORE = 0.6;
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
const SECRET_CONTEXT = /\b(?:keys?|tokens?|secrets?|passwords?|passwd|pwd|passphrase|credentials?|auth\w*|bearer|session|cookie|api|signature|signing|private|access)\b/i;
const HIGH_ENTROPY = /(?<![\w+/=-])[A-Za-z0-9+/_-]{32,512}={0,2}(?![\w+/=-])/g;

/**
 * The built-in rules: patterns with checksums and context words for the structured types (e-mail,
 * phone, cards, IBAN, SSN, IP, URL, dates of birth, secrets, ids). Spans overlap; the PII detector
 * resolves them together with the other recognisers' spans.
 */
export class RulesRecognizer implements LocalSpanRecognizer {
  readonly name = 'rules';
  private readonly addresses: AddressRules;

  constructor(
    lexicon: PiiLexicon = PiiLexicon.shipped(),
    private readonly ids: readonly IdFormat[] = loadIdFormats(),
  ) {
    this.addresses = new AddressRules(lexicon);
  }

  recognize(text: GuardText): PiiMatch[] {
    const view = text.clean;
    const out = ruleCandidates(view.text);
    const add = (entity: PiiEntity, start: number, end: number, score: number) => {
      if (end > start) out.push({ entity, start, end, score });
    };
    findIds(view.text, this.ids, add);
    this.addresses.find(view.text, add);
    return out.map((c) => {
      const range = view.range(c.start, c.end);
      return { entity: c.entity, start: range.start, end: range.end, score: c.score };
    });
  }
}

/** Candidates on the clean view's text, overlapping. */
function ruleCandidates(s: string): Candidate[] {
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
    // Random ids (file, object, share-link ids) are as random as keys: a bare token needs a credential word before it.
    if (classes === 3 && entropy(token) >= 4.2 && SECRET_CONTEXT.test(s.slice(Math.max(0, m.index - 40), m.index))) add('SECRET', m.index, m.index + token.length, 0.7);
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
    if (ssnValid(m[1]!, m[3]!, m[4]!)) add('US_SSN', m.index, m.index + m[0].length, isPublishedSsn(m[1]!, m[3]!, m[4]!) ? PUBLISHED_SSN_SCORE : 0.85);
  }
  for (const m of s.matchAll(SSN_BARE)) {
    if (ssnValid(m[1]!, m[2]!, m[3]!) && SSN_CONTEXT.test(s.slice(Math.max(0, m.index - 50), m.index))) {
      add('US_SSN', m.index, m.index + m[0].length, isPublishedSsn(m[1]!, m[2]!, m[3]!) ? PUBLISHED_SSN_SCORE : 0.8);
    }
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
  return out;
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
