import { CachedEmbedder, dot, type Embedder } from './embedder.js';
import { loadIdfTable, LocalEmbedder } from './local.embedder.js';

describe('loadIdfTable', () => {
  it('loads the shipped IDF table: common words weigh less than rare ones', () => {
    const table = loadIdfTable();
    expect(table.documents).toBeGreaterThan(10_000);
    expect(Object.keys(table.idf).length).toBeGreaterThan(5_000);
    expect(table.idf['the']!).toBeLessThan(table.idf['parcel'] ?? table.unseenIdf);
    expect(table.idf['the']!).toBeLessThan(2);
  });

  it('names the missing file when a table is absent', () => {
    expect(() => loadIdfTable('no-such-table.json')).toThrow(/services\/cache\/data\/no-such-table\.json/);
  });
});

describe('LocalEmbedder', () => {
  const embedder = new LocalEmbedder();
  const sim = async (a: string, b: string) => {
    const [x, y] = await embedder.embed([a, b]);
    return dot(x!, y!);
  };

  it('gives unit vectors of the configured size, the same for the same text', async () => {
    const [a, b] = await embedder.embed(['Where is my parcel?', 'Where is my parcel?']);
    expect(a!.length).toBe(512);
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('rates a rewording with the same rare words above an unrelated question', async () => {
    const reworded = await sim('How do I reset my router password?', 'how can i reset the password of my router');
    const unrelated = await sim('How do I reset my router password?', 'What is the capital of Australia?');
    expect(reworded).toBeGreaterThan(0.7);
    expect(unrelated).toBeLessThan(0.2);
  });

  it('gives finite vectors for words that name Object.prototype members', async () => {
    const [v] = await embedder.embed(['What does the constructor of __proto__ do? hasOwnProperty toString']);
    expect(Array.from(v!).every(Number.isFinite)).toBe(true);
    expect(dot(v!, v!)).toBeCloseTo(1, 5);
  });

  it('does what docs/cache.md says it can and cannot match: word order and inflection yes, synonyms and irregular forms no', async () => {
    expect(await sim('What is the best city to visit in Spain?', 'In Spain, which city is the best to visit?')).toBeGreaterThan(0.8);
    expect(await sim('How do I start learning guitar?', 'how can I start to learn the guitar')).toBeGreaterThan(0.8);
    expect(await sim('Where do I host my git repository?', 'Which platform should I use to keep my code online?')).toBeLessThan(0.2);
    expect(await sim('How do I get rid of mice?', 'How do I get rid of a mouse?')).toBeLessThan(0.7);
  });

  it('ignores case, punctuation and plural endings', async () => {
    expect(await sim('Best cities to visit in Spain?', 'best city to visit in spain')).toBeGreaterThan(0.9);
  });
});

describe('CachedEmbedder', () => {
  it('embeds a text once however often it is asked for, and keeps the order of the request', async () => {
    const asked: string[][] = [];
    const inner: Embedder = {
      model: 'm',
      dimensions: 1,
      embed: (texts) => {
        asked.push(texts);
        return Promise.resolve(texts.map((t) => Float32Array.of(t.length)));
      },
    };
    const cached = new CachedEmbedder(inner, 2);
    expect((await cached.embed(['a', 'bb', 'a'])).map((v) => v[0])).toEqual([1, 2, 1]);
    expect((await cached.embed(['bb', 'ccc'])).map((v) => v[0])).toEqual([2, 3]);
    expect(asked).toEqual([['a', 'bb'], ['ccc']]);
    await cached.embed(['a']); // 'a' was the least recently used of three, so it was dropped
    expect(asked.at(-1)).toEqual(['a']);
  });
});
