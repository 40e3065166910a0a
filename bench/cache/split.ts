import { createHash } from 'node:crypto';
import type { LabelledPair } from '../../services/cache/src/semantic/calibration.js';
import { wordsOf } from '../../services/cache/src/semantic/text-terms.js';

export interface PairSplit {
  /** Pairs every tuning choice (embedder features, verifier rules, threshold) may look at. */
  dev: LabelledPair[];
  /** Pairs scored only once, with the choices made on `dev`. */
  heldOut: LabelledPair[];
}

/**
 * Splits labelled pairs into a development half and a held-out half so that no question appears in
 * both: questions are joined into groups (two questions of one pair are in one group, and a question
 * in several pairs joins them all), and a group goes to the held-out half when the sha256 of its
 * first question (lower case, words only, in sort order) is odd. Deterministic: the same file always
 * splits the same way.
 */
export function splitByQuestion(pairs: LabelledPair[]): PairSplit {
  const key = (text: string) => wordsOf(text).join(' ');
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const p of pairs) {
    for (const k of [key(p.a), key(p.b)]) if (!parent.has(k)) parent.set(k, k);
    const ra = find(key(p.a));
    const rb = find(key(p.b));
    // The smaller text stays the root, so a group's name does not depend on the order of the file.
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const heldOut = (p: LabelledPair) => createHash('sha256').update(find(key(p.a))).digest()[31]! % 2 === 1;
  return { dev: pairs.filter((p) => !heldOut(p)), heldOut: pairs.filter(heldOut) };
}
