// Builds services/cache/data/embedder-idf.json, the local embedder's IDF weights, from public text in
// ../shared/datasets that is NOT the cache tuning or test sets (qqp, gptcache), so bench figures stay honest.
//   npm run cache:build-idf [-- <datasets dir>]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { idfOf, stemOf, wordsOf } from '../services/cache/src/semantic/text-terms.js';

const datasets = resolve(process.argv[2] ?? '../shared/datasets');
const out = resolve('services/cache/data/embedder-idf.json');
const MIN_DF = 2;
const MAX_TERMS = 20_000;

const jsonl = (file: string): Record<string, unknown>[] =>
  readFileSync(join(datasets, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const json = (file: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(datasets, file), 'utf8')) as Record<string, unknown>[];
const csvColumn = (file: string, column: number): string[] =>
  readFileSync(join(datasets, file), 'utf8').split('\n').slice(1).map((line) => line.split(',')[column] ?? '').filter(Boolean);

const sources: Record<string, string[]> = {
  'golden/gsm8k-test.jsonl (question)': jsonl('golden/gsm8k-test.jsonl').map((r) => String(r['question'])),
  'grounding/halueval-general.json (user_query, chatgpt_response)': jsonl('grounding/halueval-general.json').flatMap((r) => [String(r['user_query']), String(r['chatgpt_response'])]),
  'safety/xstest-prompts.csv (prompt)': csvColumn('safety/xstest-prompts.csv', 1),
  'injection/notinject-one.json, notinject-two.json (prompt)': [...json('injection/notinject-one.json'), ...json('injection/notinject-two.json')].map((r) => String(r['prompt'])),
  'pii/presidio-generated-large.json (full_text)': json('pii/presidio-generated-large.json').map((r) => String(r['full_text'])),
};

const df = new Map<string, number>();
let documents = 0;
for (const texts of Object.values(sources)) {
  for (const text of texts) {
    documents += 1;
    for (const term of new Set(wordsOf(text).map(stemOf))) df.set(term, (df.get(term) ?? 0) + 1);
  }
}
const kept = [...df].filter(([, n]) => n >= MIN_DF).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_TERMS);
const idf = Object.fromEntries(kept.sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([term, n]) => [term, Math.round(idfOf(n, documents) * 100) / 100]));
writeFileSync(
  out,
  `${JSON.stringify({
    about: 'IDF weights of stemmed words for the local embedder (services/cache/src/semantic/local.embedder.ts); built by tools/build-embedder-idf.ts',
    sources: Object.entries(sources).map(([name, texts]) => `${name}: ${texts.length} texts`),
    documents,
    minDf: MIN_DF,
    unseenIdf: Math.round(idfOf(1, documents) * 100) / 100,
    idf,
  })}\n`,
);
console.log(`wrote ${out}: ${kept.length} terms from ${documents} documents`);
