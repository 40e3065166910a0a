#!/usr/bin/env node
// Builds evals/gsm8k/gsm8k.jsonl from the GSM8K test split: one case per problem, scored on the exact
// number after "####". Usage: node scripts/build-gsm8k-evals.mjs [--source file] [--out file] [--limit N]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const source = option('--source', join(root, '../shared/datasets/golden/gsm8k-test.jsonl'));
const out = option('--out', join(root, 'evals/gsm8k/gsm8k.jsonl'));
const limitText = option('--limit', '');
const limit = limitText === '' ? Infinity : Number(limitText);
if (!(limit > 0) || (limit !== Infinity && !Number.isInteger(limit))) fail(`--limit must be a whole number above 0 (got ${limitText})`);

let text;
try {
  text = readFileSync(source, 'utf8');
} catch (error) {
  fail(`cannot read ${source}: ${error.code ?? error.message} (pass --source <gsm8k-test.jsonl>)`);
}

const cases = [];
for (const [i, line] of text.split('\n').entries()) {
  if (!line.trim() || cases.length >= limit) continue;
  let row;
  try {
    row = JSON.parse(line);
  } catch {
    fail(`${source}:${i + 1}: not valid JSON`);
  }
  if (typeof row.question !== 'string' || typeof row.answer !== 'string') fail(`${source}:${i + 1}: expected "question" and "answer" strings`);
  const match = /####\s*(-?[\d,]*\.?\d+)\s*$/.exec(row.answer.trim());
  if (!match) fail(`${source}:${i + 1}: the answer has no "#### <number>" line`);
  const value = Number(match[1].replace(/,/g, ''));
  if (!Number.isFinite(value)) fail(`${source}:${i + 1}: "${match[1]}" is not a number`);
  const id = `gsm8k-test-${String(i + 1).padStart(4, '0')}`;
  cases.push(JSON.stringify({ id, variables: { question: row.question }, expect: [{ type: 'numeric', value, tolerance: 0 }] }));
}
if (cases.length === 0) fail(`${source} holds no problems`);
writeFileSync(out, `${cases.join('\n')}\n`);
process.stdout.write(`wrote ${cases.length} cases to ${out}\n`);

function fail(message) {
  process.stderr.write(`build-gsm8k-evals: ${message}\n`);
  process.exit(1);
}
