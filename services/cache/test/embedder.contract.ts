import { dot, type Embedder } from '../src/semantic/embedder.js';

/**
 * What the semantic cache relies on from any embedder, run on each adapter: the local one in
 * `npm test`, the MiniLM model in `npm run test:infra` (it needs the fetched weights).
 */
export function describeEmbedderContract(name: string, make: () => Promise<Embedder>, timeoutMs = 5_000): void {
  describe(`${name} (embedder contract)`, () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await make();
    }, 300_000);

    const sim = async (a: string, b: string) => {
      const [x, y] = await embedder.embed([a, b]);
      return dot(x!, y!);
    };

    it('names its vector space and gives unit vectors of that size', async () => {
      expect(embedder.model).toMatch(/\S/);
      expect(embedder.dimensions).toBeGreaterThan(0);
      const vectors = await embedder.embed(['Where is my parcel?', 'How do I reset my router password?']);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(embedder.dimensions);
        expect(dot(v, v)).toBeCloseTo(1, 4);
        expect(v.every(Number.isFinite)).toBe(true);
      }
    }, timeoutMs);

    it('answers in the order asked, each text the same alone as in a batch, the same text the same vector', async () => {
      const texts = ['A much longer question about resetting the password of a home router after a firmware update?', 'Short one?', 'Where is my parcel?', 'Short one?'];
      const batch = await embedder.embed(texts);
      expect(batch).toHaveLength(texts.length);
      for (const [i, text] of texts.entries()) {
        const [alone] = await embedder.embed([text]);
        expect(dot(alone!, batch[i]!)).toBeCloseTo(1, 4);
      }
      expect(dot(batch[1]!, batch[3]!)).toBeCloseTo(1, 5);
      expect(dot(batch[0]!, batch[2]!)).toBeLessThan(0.99);
    }, timeoutMs);

    it('gives nothing for no texts', async () => {
      expect(await embedder.embed([])).toEqual([]);
    }, timeoutMs);

    it('rates a rewording of a question above an unrelated question', async () => {
      const reworded = await sim('How do I reset my router password?', 'how can i reset the password of my router');
      const unrelated = await sim('How do I reset my router password?', 'What is the capital of Australia?');
      expect(reworded).toBeGreaterThan(unrelated + 0.3);
    }, timeoutMs);

    it('embeds text with emoji, accents, other scripts and control characters to finite unit vectors', async () => {
      const vectors = await embedder.embed(['Café 🚀 naïve résumé?', '東京はどこですか', 'tab\there\u0000nul\u200bzero-width', 'x'.repeat(5_000)]);
      for (const v of vectors) {
        expect(v.every(Number.isFinite)).toBe(true);
        expect(dot(v, v)).toBeCloseTo(1, 4);
      }
    }, timeoutMs);
  });
}
