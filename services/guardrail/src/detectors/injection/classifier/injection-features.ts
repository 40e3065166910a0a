/**
 * The injection classifier's features: hashed word unigrams and bigrams and character 3- to
 * 5-grams of the guardrail's `collapsed` view (lower case, look-alikes folded, leetspeak undone,
 * spaced letters joined: see `GuardText`), so `1gn0r3 аll` and `ignore all` hash alike.
 * Training and scoring call the same function, so they cannot drift apart.
 */
export interface FeatureSpec {
  /** Hash buckets: a power of two. */
  dims: number;
  /** Longest view text scored as one window; longer texts are scored window by window (the highest wins). */
  window: number;
  /** Step between window starts. */
  stride: number;
  /**
   * Added to the feature count before the square-root scaling: a short text's few features weigh
   * less, so "hello" needs more than two suspicious n-grams to look like an attack.
   */
  smoothing: number;
  /** Texts with fewer words than this are too short to judge: the classifier abstains (the rules still run). */
  minWords: number;
  /** Character n-grams may span a space (`p m` of "help me"); false keeps them inside words. */
  charAcrossWords: boolean;
}

const SPACE = 32;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Distinct seeds keep a word, a word pair and a character n-gram with the same letters apart.
const WORD_SEED = 0x9e3779b1;
const PAIR_SEED = 0x85ebca6b;
const CHAR_SEED = [0, 0, 0, 0xc2b2ae35, 0x27d4eb2f, 0x165667b1] as const;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

function finish(h: number, mask: number): number {
  // Murmur3's final mix, so nearby FNV values spread over the buckets.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) & mask;
}

/**
 * Calls `emit(bucket)` for every feature occurrence of `text` (already the collapsed view), and
 * `name` (when given) with the feature's text, for explanations. Runs of white space count as one space.
 */
export function forEachFeature(
  text: string,
  dims: number,
  emit: (bucket: number) => void,
  name?: (bucket: number, feature: string) => void,
  scratch?: Uint16Array,
  charAcrossWords = true,
): void {
  const mask = dims - 1;
  const n = text.length;
  // The text with white-space runs as one space, as char codes.
  const codes = scratch && scratch.length >= n ? scratch : new Uint16Array(n);
  let m = 0;
  let lastSpace = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (!lastSpace) codes[m++] = SPACE;
      lastSpace = true;
    } else {
      codes[m++] = c;
      lastSpace = false;
    }
  }
  // One running hash per start position gives its 3-, 4- and 5-gram.
  for (let i = 0; i + 3 <= m; i++) {
    let h = FNV_OFFSET;
    const last = Math.min(m, i + 5);
    for (let k = i; k < last; k++) {
      if (!charAcrossWords && codes[k] === SPACE) break;
      h = Math.imul(h ^ codes[k]!, FNV_PRIME);
      const len = k - i + 1;
      if (len < 3) continue;
      const bucket = finish(h ^ CHAR_SEED[len]!, mask);
      emit(bucket);
      if (name) name(bucket, `c:${String.fromCharCode(...codes.slice(i, k + 1))}`);
    }
  }
  let previous = -1;
  let previousStart = 0;
  let previousEnd = 0;
  let i = 0;
  while (i < m) {
    if (!isWordChar(codes[i]!)) {
      // Punctuation breaks a word pair only at a sentence or clause end.
      const c = codes[i]!;
      if (c !== SPACE && c !== 39 && c !== 45) previous = -1;
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    while (i < m && isWordChar(codes[i]!)) h = Math.imul(h ^ codes[i++]!, FNV_PRIME);
    const word = h >>> 0;
    const bucket = finish(word ^ WORD_SEED, mask);
    emit(bucket);
    if (name) name(bucket, `w:${String.fromCharCode(...codes.slice(start, i))}`);
    if (previous >= 0) {
      const pair = finish(Math.imul(previous ^ PAIR_SEED, FNV_PRIME) ^ word, mask);
      emit(pair);
      if (name) name(pair, `w:${String.fromCharCode(...codes.slice(previousStart, previousEnd))} ${String.fromCharCode(...codes.slice(start, i))}`);
    }
    previous = word;
    previousStart = start;
    previousEnd = i;
  }
}

/** Whether `text` has at least `n` words (runs of letters or digits). */
export function hasWords(text: string, n: number): boolean {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const w = isWordChar(text.charCodeAt(i));
    if (w && !inWord && ++words >= n) return true;
    inWord = w;
  }
  return n <= 0;
}

/** The windows of a view text that are scored: the whole text, or overlapping `window`-sized slices of a long one. */
export function windowsOf(text: string, spec: Pick<FeatureSpec, 'window' | 'stride'>): string[] {
  if (text.length <= spec.window) return [text];
  const out: string[] = [];
  for (let start = 0; ; start += spec.stride) {
    const end = Math.min(text.length, start + spec.window);
    out.push(text.slice(start, end));
    if (end === text.length) break;
  }
  return out;
}

/**
 * The distinct buckets of one window, sorted: a binary bag of features. `scratch` is a reusable
 * stamp array of `dims` entries (one per classifier), so de-duplication costs no allocation.
 */
export class FeatureBag {
  private readonly stamps: Uint32Array;
  private generation = 0;
  private readonly buffer: number[] = [];
  private codes = new Uint16Array(4096);

  constructor(
    readonly dims: number,
    private readonly charAcrossWords = true,
  ) {
    this.stamps = new Uint32Array(dims);
  }

  /** Calls `visit` once per distinct bucket of `text` and returns how many there were. */
  each(text: string, visit: (bucket: number) => void): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
    const gen = this.generation;
    const stamps = this.stamps;
    let count = 0;
    if (this.codes.length < text.length) this.codes = new Uint16Array(text.length);
    forEachFeature(
      text,
      this.dims,
      (b) => {
        if (stamps[b] === gen) return;
        stamps[b] = gen;
        count++;
        visit(b);
      },
      undefined,
      this.codes,
      this.charAcrossWords,
    );
    return count;
  }

  /** The distinct buckets of `text`, ascending (for training, where they are stored). */
  buckets(text: string): Int32Array {
    this.buffer.length = 0;
    this.each(text, (b) => this.buffer.push(b));
    return Int32Array.from(this.buffer).sort();
  }
}
