import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The shipped word lists (`services/guardrail/data/pii-lexicon/*.json`); the build copies them to `dist/`. */
export const SHIPPED_LEXICON_DIR = fileURLToPath(new URL('../../../../data/pii-lexicon/', import.meta.url));

/** Every list the PII recognisers read, one file each (`<name>.json`). */
export const LEXICON_LISTS = [
  'given',
  'given-ambiguous',
  'surnames',
  'surnames-ambiguous',
  'surname-shaped-words',
  'name-particles',
  'name-conjunctions',
  'name-suffixes',
  'honorifics',
  'stop-words',
  'org-heads',
  'place-prefixes',
  'organisation-forms',
  'countries',
  'cities',
  'regions',
  'street-types',
  'street-prefixes',
  'street-word-endings',
  'secondary-units',
] as const;
export type LexiconList = (typeof LEXICON_LISTS)[number];

/**
 * Lists that must not share a word. Two name classes for one word would contradict each other, a
 * name that is also a stop word would never be found, and a place that is also an unambiguous
 * given name or surname would be both a person and a place: such a word belongs in an `-ambiguous` list.
 */
export const DISJOINT_LISTS: ReadonlyArray<readonly [LexiconList, readonly LexiconList[]]> = [
  ['given', ['given-ambiguous', 'stop-words', 'org-heads', 'place-prefixes', 'countries', 'cities', 'regions']],
  ['given-ambiguous', ['stop-words', 'org-heads', 'place-prefixes']],
  ['surnames', ['surnames-ambiguous', 'stop-words', 'org-heads', 'place-prefixes', 'countries', 'cities', 'regions']],
  ['surnames-ambiguous', ['stop-words', 'org-heads', 'place-prefixes']],
  ['stop-words', ['org-heads', 'place-prefixes']],
  ['countries', ['cities', 'regions']],
  ['cities', ['regions']],
];

const LexiconFile = z.strictObject({
  /** Where the words come from and what they are for. */
  description: z.string().min(1),
  words: z.array(z.string().min(1).max(80).refine((w) => w.trim() === w, 'a word with spaces around it')).min(1),
});

/** A folded key: lower case, diacritics dropped, ligatures and special letters spelt out (`José`, `JOSE` → `jose`). */
export function lexiconKey(word: string): string {
  if (/^[A-Za-z]+$/.test(word)) return word.toLowerCase();
  return word
    .toLowerCase()
    .replace(/[ßøæœłđþðı]/g, (c) => ({ ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', þ: 'th', ð: 'd', ı: 'i' })[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/’/g, "'");
}

/**
 * The PII recognisers' word lists, read once from data files. Words keep their spelling in `words`
 * (honorifics and suffixes are matched as written); `has` compares folded keys.
 *
 * @example PiiLexicon.shipped().has('given', 'José') // true
 */
export class PiiLexicon {
  private static cached: PiiLexicon | undefined;

  private constructor(
    private readonly lists: ReadonlyMap<LexiconList, readonly string[]>,
    private readonly keys: ReadonlyMap<LexiconList, ReadonlySet<string>>,
  ) {}

  /** The lists shipped in `services/guardrail/data/pii-lexicon/`, loaded on first use. */
  static shipped(): PiiLexicon {
    PiiLexicon.cached ??= PiiLexicon.load(SHIPPED_LEXICON_DIR);
    return PiiLexicon.cached;
  }

  /**
   * Reads every list from `dir`.
   *
   * @throws Error naming the file and the problem: missing, not JSON, wrong shape, a word listed
   *   twice (after folding), or a word in two lists that must not share one
   */
  static load(dir: string): PiiLexicon {
    const lists = new Map<LexiconList, readonly string[]>();
    const keys = new Map<LexiconList, ReadonlySet<string>>();
    for (const name of LEXICON_LISTS) {
      const file = join(dir, `${name}.json`);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`pii lexicon ${name}.json: cannot be read as JSON (${(error as Error).message.split('\n')[0]})`, { cause: error });
      }
      const parsed = LexiconFile.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`pii lexicon ${name}.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      const seen = new Set<string>();
      for (const word of parsed.data.words) {
        const key = lexiconKey(word);
        if (seen.has(key)) throw new Error(`pii lexicon ${name}.json: "${word}" is listed twice`);
        seen.add(key);
      }
      lists.set(name, parsed.data.words);
      keys.set(name, seen);
    }
    const lexicon = new PiiLexicon(lists, keys);
    const clash = lexicon.overlaps()[0];
    if (clash) throw new Error(`pii lexicon: "${clash.word}" is in both ${clash.a}.json and ${clash.b}.json; keep it in one (an -ambiguous list when it is also a word or place)`);
    return lexicon;
  }

  /** The words of a list as written. */
  words(list: LexiconList): readonly string[] {
    return this.lists.get(list)!;
  }

  /** Whether a list holds the word (folded comparison). */
  has(list: LexiconList, word: string): boolean {
    return this.keys.get(list)!.has(lexiconKey(word));
  }

  /** Whether a list holds an already folded key. */
  hasKey(list: LexiconList, key: string): boolean {
    return this.keys.get(list)!.has(key);
  }

  /** Words shared by lists that `DISJOINT_LISTS` keeps apart. */
  overlaps(): Array<{ a: LexiconList; b: LexiconList; word: string }> {
    const out: Array<{ a: LexiconList; b: LexiconList; word: string }> = [];
    for (const [a, others] of DISJOINT_LISTS) {
      for (const b of others) for (const key of this.keys.get(a)!) if (this.keys.get(b)!.has(key)) out.push({ a, b, word: key });
    }
    return out;
  }
}
