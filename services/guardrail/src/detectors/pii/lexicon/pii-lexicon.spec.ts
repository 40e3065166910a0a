import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEXICON_LISTS, lexiconKey, PiiLexicon, SHIPPED_LEXICON_DIR } from './pii-lexicon.js';

describe('PII lexicon (data/pii-lexicon/*.json)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pii-lexicon-'));
    cpSync(SHIPPED_LEXICON_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (list: string, change: (words: string[]) => string[]) => {
    const file = join(dir, `${list}.json`);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { description: string; words: string[] };
    writeFileSync(file, JSON.stringify({ ...data, words: change(data.words) }));
  };

  it('ships every list, none with a word twice (after folding case and accents)', () => {
    const lexicon = PiiLexicon.load(SHIPPED_LEXICON_DIR);
    for (const list of LEXICON_LISTS) {
      const keys = lexicon.words(list).map(lexiconKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('ships no word in two lists that must stay apart', () => {
    expect(PiiLexicon.load(SHIPPED_LEXICON_DIR).overlaps()).toEqual([]);
  });

  it('refuses a list with a duplicate, naming the file and the word', () => {
    edit('given', (w) => [...w, 'Zebulon', 'ZÉBULON']);
    expect(() => PiiLexicon.load(dir)).toThrow('pii lexicon given.json: "ZÉBULON" is listed twice');
  });

  it('refuses a word in two lists that must not share one', () => {
    edit('countries', (w) => [...w, 'Jennifer']);
    expect(() => PiiLexicon.load(dir)).toThrow('"jennifer" is in both given.json and countries.json');
  });

  it('refuses a missing or malformed file with one clear line', () => {
    rmSync(join(dir, 'cities.json'));
    expect(() => PiiLexicon.load(dir)).toThrow(/^pii lexicon cities.json: cannot be read as JSON/);
    writeFileSync(join(dir, 'cities.json'), JSON.stringify({ description: 'x', words: [] }));
    expect(() => PiiLexicon.load(dir)).toThrow('pii lexicon cities.json: words: ');
  });

  it('compares words folded: case, accents and special letters', () => {
    const lexicon = PiiLexicon.shipped();
    expect(lexicon.has('given', 'JOSÉ')).toBe(true);
    expect(lexicon.has('given', 'Jose')).toBe(true);
    expect(lexiconKey('Weiß')).toBe('weiss');
    expect(lexicon.has('countries', 'Côte d’Ivoire')).toBe(lexicon.has('countries', "Cote d'Ivoire"));
  });
});
