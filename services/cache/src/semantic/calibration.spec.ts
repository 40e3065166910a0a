import { recommendThreshold, splitPairsByQuestion, thresholdTable, type LabelledPair, type ScoredPair } from './calibration.js';

const pairs: LabelledPair[] = Array.from({ length: 400 }, (_, i) => ({ a: `How do I learn topic ${i}?`, b: `What is the best way to learn topic ${i}?`, duplicate: i % 3 === 0 }));
// Question 7 also appears in a second pair, and in another spelling: it must pull that pair into its half.
pairs.push({ a: 'how do i learn TOPIC 7', b: 'Where can I study topic 7?', duplicate: true });

describe('splitPairsByQuestion', () => {
  const key = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu)!.join(' ');
  const { dev, heldOut } = splitPairsByQuestion(pairs);

  it('puts every pair in one half and no question in both', () => {
    expect(dev.length + heldOut.length).toBe(pairs.length);
    const devQuestions = new Set(dev.flatMap((p) => [key(p.a), key(p.b)]));
    expect(heldOut.flatMap((p) => [key(p.a), key(p.b)]).filter((q) => devQuestions.has(q))).toEqual([]);
  });

  it('splits roughly in half, the same way whatever the order of the file', () => {
    expect(dev.length).toBeGreaterThan(150);
    expect(heldOut.length).toBeGreaterThan(150);
    const again = splitPairsByQuestion([...pairs].reverse());
    expect(new Set(again.heldOut.map((p) => p.a))).toEqual(new Set(heldOut.map((p) => p.a)));
  });
});

describe('thresholdTable and recommendThreshold', () => {
  const scored: ScoredPair[] = [
    { similarity: 0.95, duplicate: true, verified: true },
    { similarity: 0.9, duplicate: false, verified: false },
    { similarity: 0.85, duplicate: true, verified: true },
    { similarity: 0.8, duplicate: false, verified: true },
  ];

  it('counts precision, recall, hit rate and false hits, with and without the verifier', () => {
    const [plain] = thresholdTable(scored, [0.85], false);
    const [verified] = thresholdTable(scored, [0.85], true);
    expect(plain).toEqual({ threshold: 0.85, precision: 2 / 3, recall: 1, hitRate: 3 / 4, falseHits: 1 });
    expect(verified).toEqual({ threshold: 0.85, precision: 1, recall: 1, hitRate: 2 / 4, falseHits: 0 });
  });

  it('recommends the lowest threshold that meets the target precision, or none', () => {
    const rows = thresholdTable(scored, [0.8, 0.85, 0.9, 0.95], false);
    expect(recommendThreshold(rows, 0.9)?.threshold).toBe(0.95);
    expect(recommendThreshold(thresholdTable(scored, [0.8, 0.85, 0.9], true), 0.9)?.threshold).toBe(0.85);
    expect(recommendThreshold(rows, 1.01)).toBeNull();
  });
});
