import { EvictedKeysFilter } from './evicted-keys.filter.js';

describe('EvictedKeysFilter', () => {
  it('holds every key it was given, and rules out nearly every other key', () => {
    const filter = new EvictedKeysFilter(20);
    const added = Array.from({ length: 50_000 }, (_, i) => `outcome\u0000tenant-a/req-${i}`);
    for (const key of added) filter.add(key);
    expect(added.every((key) => filter.mightHold(key))).toBe(true);
    const others = Array.from({ length: 50_000 }, (_, i) => `outcome\u0000tenant-a/other-${i}`);
    const falsePositives = others.filter((key) => filter.mightHold(key)).length;
    // 2^20 bits, 7 hashes, 50,000 keys: about 0.01 % expected; well under 1 %.
    expect(falsePositives / others.length).toBeLessThan(0.01);
  });

  it('refuses a size it cannot hold', () => {
    expect(() => new EvictedKeysFilter(4)).toThrow('log2Bits must be an integer from 10 to 32 (got 4)');
  });
});
