/**
 * The words of a text as the local embedder, the IDF builder and the hit verifier see them:
 * NFKC, lower case, runs of letters and digits. No imports, so `tools/build-embedder-idf.ts` shares it.
 */
export function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A light suffix strip so "cities"/"city" and "learning"/"learn" meet; not a real stemmer. */
export function stemOf(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('es') && /(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** Inverse document frequency of a term seen in `df` of `documents` documents (smoothed, never below 1). */
export function idfOf(df: number, documents: number): number {
  return Math.log((documents + 1) / (df + 1)) + 1;
}
