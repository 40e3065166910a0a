import { confusableOf } from './confusables.js';

/**
 * A derived view of a text with a map back to the original: `text[i]` came from
 * `original.slice(start(i), end(i))`. Identity views (plain ASCII) keep no arrays.
 */
export class MappedText {
  constructor(
    readonly text: string,
    private readonly starts: ArrayLike<number> | null,
    private readonly ends: ArrayLike<number> | null,
  ) {}

  /** Offset in the original text where view position `i` starts. */
  start(i: number): number {
    if (!this.starts) return i;
    if (i >= this.starts.length) return this.ends!.length ? this.ends![this.ends!.length - 1]! : 0;
    return this.starts[i]!;
  }

  /** Offset in the original text just after view position `i - 1` (the exclusive end of a match ending at `i`). */
  end(i: number): number {
    if (!this.ends) return i;
    if (i <= 0) return 0;
    return this.ends[Math.min(i, this.ends.length) - 1]!;
  }

  /** The original range a view range [from, to) covers. */
  range(from: number, to: number): { start: number; end: number } {
    return { start: this.start(from), end: Math.max(this.start(from), this.end(to)) };
  }
}

/** Counts of hidden-text tricks seen while normalising. */
export interface UnicodeSignals {
  /** Zero-width, filler and soft-hyphen characters that render as nothing. */
  invisible: number;
  /** Unicode tag characters (U+E0000 block): invisible ASCII, decoded into the views. */
  tags: number;
  /** Bidirectional overrides and isolates that reorder what a reader sees. */
  bidi: number;
  /** Words that mix Latin letters with Cyrillic or Greek look-alikes. */
  mixedScriptWords: number;
}

const ZERO_DIGITS = [0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0xff10];
const MARKS = /\p{M}/gu;
const ASCII_ONLY = /^[\t\n\r\x20-\x7e]*$/;

type CharClass = 'keep' | 'invisible' | 'invisible-silent' | 'bidi' | 'tag';

function classify(cp: number): CharClass {
  if (cp < 0xad) return 'keep';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x61c) return 'bidi';
  if (
    cp === 0xad || cp === 0x34f || cp === 0x115f || cp === 0x1160 || cp === 0x17b4 || cp === 0x17b5 || cp === 0x180e ||
    cp === 0x200b || cp === 0x200e || cp === 0x200f || (cp >= 0x2060 && cp <= 0x2064) || cp === 0x3164 || cp === 0xfeff ||
    cp === 0xffa0 || (cp >= 0x1d173 && cp <= 0x1d17a)
  ) {
    return 'invisible';
  }
  // Joiners and variation selectors are part of emoji and some scripts: dropped, not counted.
  if (cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x180b && cp <= 0x180d)) {
    return 'invisible-silent';
  }
  return 'keep';
}

const cleanCache = new Map<number, string>();
const foldCache = new Map<number, string>();

/** NFKC, with every script's decimal digits as ASCII digits. */
function cleanChar(cp: number): string {
  let out = cleanCache.get(cp);
  if (out !== undefined) return out;
  out = String.fromCodePoint(cp).normalize('NFKC');
  for (const zero of ZERO_DIGITS) {
    if (cp >= zero && cp < zero + 10) {
      out = String(cp - zero);
      break;
    }
  }
  if (cleanCache.size < 50_000) cleanCache.set(cp, out);
  return out;
}

/** Lower case, no diacritics, look-alikes as Latin letters. */
function foldChar(cp: number): string {
  let out = foldCache.get(cp);
  if (out !== undefined) return out;
  out = '';
  for (const ch of cleanChar(cp)) {
    const c = ch.codePointAt(0)!;
    const look = confusableOf(c);
    out += look ?? ch.toLowerCase().normalize('NFKD').replace(MARKS, '');
  }
  if (foldCache.size < 50_000) foldCache.set(cp, out);
  return out;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's' };
const LEET_TOKEN = /[a-z0-9@$]{3,40}/g;
const SPACED_LETTERS = /(?<![a-z0-9])[a-z](?:[ .\-_*+|~/][a-z]){2,}(?![a-z0-9])/g;

/**
 * One text as the detectors see it, normalised once and shared by every detector:
 * - `raw`: as received;
 * - `clean`: invisible characters stripped, tag characters decoded, NFKC, digits of any script as ASCII
 *   (PII detectors: case and accents kept);
 * - `folded`: `clean` lower-cased, without diacritics, look-alike letters folded to Latin;
 * - `collapsed`: `folded` with leetspeak undone (`1gn0r3` → `ignore`) and spaced-out letters joined
 *   (`i g n o r e` → `ignore`) (injection and policy rules).
 * Each view maps back to `raw` offsets, so spans always point into the text as received.
 */
export class GuardText {
  private cleanView?: MappedText;
  private foldedView?: MappedText;
  private collapsedView?: MappedText;
  private counts?: UnicodeSignals;

  constructor(readonly raw: string) {}

  get clean(): MappedText {
    if (!this.cleanView) this.build();
    return this.cleanView!;
  }

  get folded(): MappedText {
    if (!this.foldedView) this.build();
    return this.foldedView!;
  }

  get collapsed(): MappedText {
    this.collapsedView ??= collapse(this.folded);
    return this.collapsedView;
  }

  get signals(): UnicodeSignals {
    if (!this.counts) this.build();
    return this.counts!;
  }

  private build(): void {
    const raw = this.raw;
    const counts: UnicodeSignals = { invisible: 0, tags: 0, bidi: 0, mixedScriptWords: 0 };
    if (ASCII_ONLY.test(raw)) {
      this.cleanView = new MappedText(raw, null, null);
      this.foldedView = new MappedText(raw.toLowerCase(), null, null);
      this.counts = counts;
      return;
    }
    const clean = new ViewBuilder(raw.length);
    const folded = new ViewBuilder(raw.length);
    let run = -1;
    const flush = (end: number) => {
      if (run < 0) return;
      const chunk = raw.slice(run, end);
      clean.ascii(chunk, run);
      folded.ascii(chunk.toLowerCase(), run);
      run = -1;
    };
    for (let i = 0; i < raw.length; ) {
      const cp = raw.codePointAt(i)!;
      if (cp < 0x80) {
        if (run < 0) run = i;
        i++;
        continue;
      }
      flush(i);
      const len = cp > 0xffff ? 2 : 1;
      const kind = classify(cp);
      let c = '';
      let f = '';
      if (kind === 'keep') {
        c = cleanChar(cp);
        f = foldChar(cp);
      } else if (kind === 'tag') {
        counts.tags++;
        const ascii = cp - 0xe0000;
        c = ascii >= 0x20 && ascii <= 0x7e ? String.fromCharCode(ascii) : '';
        f = c.toLowerCase();
      } else {
        if (kind === 'invisible' && !(cp === 0xfeff && i === 0)) counts.invisible++;
        if (kind === 'bidi') counts.bidi++;
      }
      clean.add(c, i, i + len);
      folded.add(f, i, i + len);
      i += len;
    }
    flush(raw.length);
    counts.mixedScriptWords = countMixedScriptWords(raw);
    this.cleanView = clean.build();
    this.foldedView = folded.build();
    this.counts = counts;
  }
}

/** Accumulates a view and its offset map; ASCII runs are copied whole. */
class ViewBuilder {
  private parts: string[] = [];
  private starts: Int32Array;
  private ends: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    this.starts = new Int32Array(capacity + 16);
    this.ends = new Int32Array(capacity + 16);
  }

  ascii(chunk: string, from: number): void {
    this.reserve(chunk.length);
    for (let k = 0; k < chunk.length; k++) {
      this.starts[this.length] = from + k;
      this.ends[this.length++] = from + k + 1;
    }
    this.parts.push(chunk);
  }

  add(text: string, start: number, end: number): void {
    if (text.length === 0) return;
    this.reserve(text.length);
    for (let k = 0; k < text.length; k++) {
      this.starts[this.length] = start;
      this.ends[this.length++] = end;
    }
    this.parts.push(text);
  }

  build(): MappedText {
    return new MappedText(this.parts.join(''), this.starts.subarray(0, this.length), this.ends.subarray(0, this.length));
  }

  private reserve(n: number): void {
    if (this.length + n <= this.starts.length) return;
    const size = Math.max(this.starts.length * 2, this.length + n);
    const s = new Int32Array(size);
    const e = new Int32Array(size);
    s.set(this.starts);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }
}

const WORD = /\p{L}{3,}/gu;
const LATIN = /\p{Script=Latin}/u;
const LOOKALIKE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;

function isLetter(ch: string): boolean {
  return ch >= 'a' && ch <= 'z';
}

/** Words of three or more letters mixing Latin with a look-alike from another script (`pаypal` with a Cyrillic а). */
function countMixedScriptWords(raw: string): number {
  let n = 0;
  for (const m of raw.matchAll(WORD)) {
    if (!LATIN.test(m[0]) || !LOOKALIKE_SCRIPT.test(m[0])) continue;
    for (const ch of m[0]) {
      if (LOOKALIKE_SCRIPT.test(ch) && confusableOf(ch.codePointAt(0)!) !== undefined) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** `folded` → `collapsed`: undo leetspeak inside words and join letters spaced apart. */
function collapse(view: MappedText): MappedText {
  const text = view.text;
  const drop = new Uint8Array(text.length);
  let chars: string[] | null = null;
  for (const m of text.matchAll(LEET_TOKEN)) {
    const token = m[0];
    let letters = 0;
    let leet = 0;
    let inner = false;
    for (let k = 0; k < token.length; k++) {
      const ch = token[k]!;
      if (ch >= 'a' && ch <= 'z') letters++;
      else {
        leet++;
        if (k > 0 && k < token.length - 1 && isLetter(token[k - 1]!) && isLetter(token[k + 1]!)) inner = true;
      }
    }
    // "1gn0r3", "pr3vious" are leetspeak; "3rd", "gpt4", "h2o" are not.
    if (letters < 2 || leet > letters + 1 || !(inner || leet >= 2) || /^\d+[a-z]{1,2}$|^[a-z]+\d+$/.test(token)) continue;
    chars ??= text.split('');
    for (let k = 0; k < token.length; k++) {
      const sub = LEET[token[k]!];
      if (sub) chars[m.index + k] = sub;
    }
  }
  let touched = chars !== null;
  for (const m of text.matchAll(SPACED_LETTERS)) {
    for (let k = 1; k < m[0].length; k += 2) drop[m.index + k] = 1;
    touched = true;
  }
  if (!touched) return view;
  // Leet substitutions are one ASCII character for one, so `source` indexes match `text`.
  const source = chars ?? text.split('');
  const out = new ViewBuilder(text.length);
  for (let i = 0; i < text.length; i++) {
    if (!drop[i]) out.add(source[i]!, view.start(i), view.end(i + 1));
  }
  return out.build();
}
