import { z } from 'zod';
import { BallastError, ERROR_CODES } from '#contracts';
import { readCacheDataFile } from './data-file.js';
import { loadIdfTable, type IdfTable } from './local.embedder.js';
import { stemOf, wordsOf } from './text-terms.js';

export const VerifierWords = z.object({
  negations: z.array(z.string()).min(1),
  numberWords: z.record(z.string(), z.string()),
  stopwords: z.array(z.string()).min(1),
  /** Question words whose difference changes what is asked ("why" vs "how"). */
  questionWords: z.array(z.string()).min(1),
  /** Pronoun → grammatical person ("my" and "me" are one person, "your" another). */
  persons: z.record(z.string(), z.string()),
  directional: z.array(z.string()).min(1),
});
export type VerifierWords = z.infer<typeof VerifierWords>;

/** The word lists shipped in `services/cache/data/verifier-words.json`. */
export function loadVerifierWords(name = 'verifier-words.json'): VerifierWords {
  const parsed = VerifierWords.safeParse(readCacheDataFile(name));
  if (!parsed.success) throw new BallastError(ERROR_CODES.internal, `services/cache/data/${name} is not a verifier word list: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export type RefusalReason = 'numbers' | 'negation' | 'entities' | 'question-word' | 'person' | 'content-words' | 'direction';

export interface HitVerifierOptions {
  words?: VerifierWords;
  idf?: IdfTable;
  /**
   * A content word (not a stop word, number, negation, question word or pronoun) counts as key when
   * its IDF is at least this. Default 0: every content word is key. Chosen on the development half
   * of qqp-pairs-dev (see docs/cache.md): letting common content words or a share of key words go
   * unmatched served more false hits than true ones.
   */
  keyWordMinIdf?: number;
  /** Key words one question may have that the other lacks, both sides counted. Default 0. */
  maxUnmatchedKeyWords?: number;
  /** Also allows this share of the two questions' key words (together) to be unmatched. Default 0. */
  unmatchedKeyWordShare?: number;
  /**
   * A key word of at least this many letters also matches a word of the other question one typo
   * away (one letter added, dropped or changed: "handwritting"/"handwriting"). Default 6; 0 turns it
   * off. On the development half of QQP it added recall at the same precision.
   */
  typoMinLength?: number;
}

interface Parsed {
  /** Stems in text order. */
  sequence: string[];
  stems: Set<string>;
  numbers: Set<string>;
  negated: boolean;
  entities: Set<string>;
  questionWords: Set<string>;
  persons: Set<string>;
  keyWords: Set<string>;
}

/**
 * Refuses a neighbour that scored above the threshold but asks something else: a question and its
 * neighbour must have the same numbers, the same negation, each other's named entities
 * (capitalised words not opening a sentence), the same question words (why/how/when/where/who),
 * the same grammatical persons ("my" vs "your") and each other's content words (by stem), and the
 * two sides of a directional word ("USD to EUR", "A better than B") must not be swapped.
 */
export class HitVerifier {
  private readonly negations: Set<string>;
  private readonly numberWords: Map<string, string>;
  private readonly stopwords: Set<string>;
  private readonly directional: Set<string>;
  private readonly questionWords: Set<string>;
  private readonly persons: Map<string, string>;
  private readonly idf: Map<string, number>;
  private readonly unseenIdf: number;
  private readonly keyWordMinIdf: number;
  private readonly maxUnmatched: number;
  private readonly unmatchedShare: number;
  private readonly typoMinLength: number;

  constructor(options: HitVerifierOptions = {}) {
    const words = options.words ?? loadVerifierWords();
    this.negations = new Set(words.negations);
    this.numberWords = new Map(Object.entries(words.numberWords));
    this.stopwords = new Set(words.stopwords.map(stemOf));
    this.directional = new Set(words.directional);
    this.questionWords = new Set(words.questionWords);
    this.persons = new Map(Object.entries(words.persons));
    const table = options.idf ?? loadIdfTable();
    this.idf = new Map(Object.entries(table.idf));
    this.unseenIdf = table.unseenIdf;
    this.keyWordMinIdf = options.keyWordMinIdf ?? 0;
    this.maxUnmatched = options.maxUnmatchedKeyWords ?? 0;
    this.unmatchedShare = options.unmatchedKeyWordShare ?? 0;
    this.typoMinLength = options.typoMinLength ?? 6;
  }

  /** Null when `candidate` may answer `question`, else why not. */
  refusal(question: string, candidate: string): RefusalReason | null {
    const a = this.parse(question);
    const b = this.parse(candidate);
    if (!sameSet(a.numbers, b.numbers)) return 'numbers';
    if (a.negated !== b.negated) return 'negation';
    if (![...a.entities].every((e) => b.stems.has(e)) || ![...b.entities].every((e) => a.stems.has(e))) return 'entities';
    if (!sameSet(a.questionWords, b.questionWords)) return 'question-word';
    if (!sameSet(a.persons, b.persons)) return 'person';
    const unmatched = [...a.keyWords].filter((w) => !this.matched(w, b.stems)).length + [...b.keyWords].filter((w) => !this.matched(w, a.stems)).length;
    const allowed = Math.max(this.maxUnmatched, Math.floor(this.unmatchedShare * (a.keyWords.size + b.keyWords.size)));
    if (unmatched > allowed) return 'content-words';
    if (this.swapped(a, b)) return 'direction';
    return null;
  }

  /** The stem is among `stems`, or (long words only) one typo away from one of them. */
  private matched(stem: string, stems: Set<string>): boolean {
    if (stems.has(stem)) return true;
    if (this.typoMinLength === 0 || stem.length < this.typoMinLength) return false;
    for (const other of stems) if (other.length >= this.typoMinLength && oneEditApart(stem, other)) return true;
    return false;
  }

  /** True when a word shared by both questions is before a directional word in one and after it in the other. */
  private swapped(a: Parsed, b: Parsed): boolean {
    const shared = new Set([...a.stems].filter((s) => b.stems.has(s) && !this.stopwords.has(s) && !this.directional.has(s)));
    // The side of each shared word relative to the last occurrence of d, where "X to Y" usually sits ("how to convert USD to EUR").
    const side = (seq: string[], at: number, word: string) => (seq.indexOf(word) < at ? -1 : 1);
    for (const d of this.directional) {
      const la = a.sequence.lastIndexOf(d);
      const lb = b.sequence.lastIndexOf(d);
      if (la < 0 || lb < 0) continue;
      let forward = false;
      let backward = false;
      for (const w of shared) {
        const sa = side(a.sequence, la, w);
        const sb = side(b.sequence, lb, w);
        if (sa < sb) forward = true;
        if (sa > sb) backward = true;
      }
      if (forward && backward) return true;
    }
    return false;
  }

  private parse(text: string): Parsed {
    const words = wordsOf(text);
    const stems = new Set(words.map(stemOf));
    const numbers = new Set<string>();
    for (const w of words) {
      if (/^\d/.test(w)) numbers.add(w.replace(/^0+(?=\d)/, ''));
      else if (this.numberWords.has(w)) numbers.add(this.numberWords.get(w)!);
    }
    const questionWords = new Set<string>();
    const persons = new Set<string>();
    for (const w of words) {
      if (this.questionWords.has(w)) questionWords.add(w);
      const person = this.persons.get(w);
      if (person) persons.add(person);
    }
    const keyWords = new Set<string>();
    for (const s of stems) {
      if (this.stopwords.has(s) || /^\d/.test(s) || this.numberWords.has(s) || this.negations.has(s) || this.questionWords.has(s) || this.persons.has(s)) continue;
      if ((this.idf.get(s) ?? this.unseenIdf) >= this.keyWordMinIdf) keyWords.add(s);
    }
    return { sequence: words.map(stemOf), stems, numbers, negated: words.some((w) => this.negations.has(w)), entities: this.entitiesOf(text), questionWords, persons, keyWords };
  }

  /** Capitalised words that do not open a sentence and are not function words: names, places, products. */
  private entitiesOf(text: string): Set<string> {
    const out = new Set<string>();
    for (const sentence of text.normalize('NFKC').split(/[.!?\n]+/)) {
      const raw = sentence.match(/[\p{L}\p{N}]+/gu) ?? [];
      raw.forEach((w, i) => {
        if (i === 0 || !/^\p{Lu}/u.test(w) || w === 'I') return;
        const stem = stemOf(w.toLowerCase());
        if (!this.stopwords.has(stem)) out.add(stem);
      });
    }
    return out;
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** True when `a` and `b` differ by exactly one added, dropped or changed character. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  // After the first difference the rest must be equal, skipping one character of the longer (or of both when as long).
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
