import { randomBytes } from 'node:crypto';
import { CANARY_PREFIX } from '#contracts';
import { GuardText } from '../../text/guard-text.js';

/** A fresh canary per request (64 random bits): an answer that contains it copied it from the prompt. */
const CANARY_RANDOM_BYTES = 8;

export function newCanary(): string {
  return `${CANARY_PREFIX}${randomBytes(CANARY_RANDOM_BYTES).toString('hex')}`;
}

/** Matches any token `newCanary` can return, whichever request it was made for. */
export const ANY_CANARY = new RegExp(`${CANARY_PREFIX}[0-9a-f]{${CANARY_RANDOM_BYTES * 2}}`, 'i');

const alnum = (s: string) => s.replace(/[^\p{L}\p{N}]+/gu, '');
const STOPWORDS = new Set(['the', 'and', 'you', 'your', 'are', 'for', 'with', 'that', 'this', 'not', 'access', 'code', 'password']);

export interface SecretLeak {
  form: 'verbatim' | 'spaced' | 'reversed' | 'encoded' | 'all-words';
  start: number;
  end: number;
}

/**
 * Whether `text` gives away `secret`: verbatim, with case, spacing, look-alike letters or
 * punctuation changed (`c-n-r-y`), reversed, base64 / hex / ROT13 encoded, or, for a phrase of
 * several words, every word of it close together.
 */
export function findSecretLeak(secret: string, text: string): SecretLeak | null {
  const trimmed = secret.trim();
  if (trimmed.length < 3 || text.length === 0) return null;
  const lowerText = text.toLowerCase();
  const at = lowerText.indexOf(trimmed.toLowerCase());
  if (at >= 0 && (trimmed.length >= 5 || wordBounded(lowerText, at, trimmed.length))) return { form: 'verbatim', start: at, end: at + trimmed.length };

  const view = new GuardText(text).folded;
  const folded = alnum(view.text);
  const target = alnum(new GuardText(trimmed).folded.text);
  if (target.length >= 5) {
    if (folded.includes(target)) return { form: 'spaced', ...locate(view, target) };
    if (target.length >= 6 && folded.includes([...target].reverse().join(''))) return { form: 'reversed', start: 0, end: text.length };
    const rot = target.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
    if (rot !== target && folded.includes(rot)) return { form: 'encoded', start: 0, end: text.length };
  }
  for (const encoded of encodings(trimmed)) {
    const i = text.indexOf(encoded);
    if (i >= 0) return { form: 'encoded', start: i, end: i + encoded.length };
    const j = lowerText.indexOf(encoded.toLowerCase());
    if (j >= 0 && /[0-9a-f]/.test(encoded)) return { form: 'encoded', start: j, end: j + encoded.length };
  }
  const words = [...new Set(new GuardText(trimmed).folded.text.match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => (w.length >= 3 || /^\d{2,}$/.test(w)) && !STOPWORDS.has(w));
  if (words.length >= 2) {
    const positions: number[] = [];
    for (const w of words) {
      const at = wordPosition(view.text, w);
      if (at < 0) break;
      positions.push(at);
    }
    if (positions.length === words.length && Math.max(...positions) - Math.min(...positions) <= 300) {
      return { form: 'all-words', ...view.range(Math.min(...positions), Math.max(...positions) + 1) };
    }
  }
  return null;
}

function wordBounded(text: string, at: number, length: number): boolean {
  const before = text[at - 1];
  const after = text[at + length];
  return !(before && /[\p{L}\p{N}]/u.test(before)) && !(after && /[\p{L}\p{N}]/u.test(after));
}

const wordPatterns = new Map<string, RegExp>();

// Runs on every answer for every secret word: a substring test rules most words out before a regex is needed.
function wordPosition(text: string, word: string): number {
  if (!text.includes(word)) return -1;
  let re = wordPatterns.get(word);
  if (!re) {
    if (wordPatterns.size > 10_000) wordPatterns.clear();
    re = new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');
    wordPatterns.set(word, re);
  }
  return re.exec(text)?.index ?? -1;
}

function locate(view: GuardText['folded'], target: string): { start: number; end: number } {
  // Walk the view's alphanumeric characters to find where the target run starts and ends.
  const chars: number[] = [];
  let compact = '';
  for (let i = 0; i < view.text.length; i++) {
    const ch = view.text[i]!;
    if (/[\p{L}\p{N}]/u.test(ch)) {
      compact += ch;
      chars.push(i);
    }
  }
  const at = compact.indexOf(target);
  if (at < 0) return { start: 0, end: view.text.length };
  return view.range(chars[at]!, chars[at + target.length - 1]! + 1);
}

function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const b64 = bytes.toString('base64');
  const out = [b64.replace(/=+$/, ''), bytes.toString('hex')];
  if (secret.length >= 4) out.push([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  return out.filter((e) => e.length >= 6);
}
