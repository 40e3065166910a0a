/**
 * A Bloom filter of keys that left memory but stay in Postgres: `mightHold` false means the key was
 * never added (no database look-up needed); true means it may have been (look it up). Its size is
 * fixed whatever the traffic; past its capacity the false-positive rate rises, which costs look-ups,
 * never a wrong answer.
 */
export class EvictedKeysFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /** @param log2Bits 2^log2Bits bits (default 2^24: 2 MiB, 1 % false positives at about 1.7 million keys). */
  constructor(
    log2Bits = 24,
    private readonly hashes = 7,
  ) {
    if (!Number.isInteger(log2Bits) || log2Bits < 10 || log2Bits > 32) throw new RangeError(`log2Bits must be an integer from 10 to 32 (got ${log2Bits})`);
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  add(key: string): void {
    const [h1, h2] = hashPair(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + i * h2) & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mightHold(key: string): boolean {
    const [h1, h2] = hashPair(key);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + i * h2) & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a hashes of the key's UTF-16 code units (double hashing, Kirsch–Mitzenmacher). */
function hashPair(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
