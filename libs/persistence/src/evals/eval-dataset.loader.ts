import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BallastError, ERROR_CODES } from '#contracts';
import { EvalCase } from './eval-case.schema.js';

export interface EvalDataset {
  prompt: string;
  dir: string;
  /** The `*.jsonl` files read, sorted. */
  files: string[];
  cases: EvalCase[];
  /** sha256 over each file's name and contents: changes whenever the golden set changes. */
  hash: string;
}

/**
 * Reads the golden set `<evalsDir>/<prompt>/*.jsonl` (one case per line; blank lines skipped). A case
 * without an `id` gets `<file>:<line>`.
 *
 * @throws BallastError `ballast.invalid_request` with one line: `file:line: field: problem`
 */
export async function loadEvalDataset(evalsDir: string, prompt: string): Promise<EvalDataset> {
  const dir = join(evalsDir, prompt);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => extname(f) === '.jsonl').sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`no golden set for '${prompt}': ${dir} does not exist`);
    throw error;
  }
  if (names.length === 0) throw invalid(`no golden set for '${prompt}': no *.jsonl files in ${dir}`);
  const hash = createHash('sha256');
  const cases: EvalCase[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const path = join(dir, name);
    const text = await readFile(path, 'utf8');
    hash.update(`${name}\0${text}\0`);
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      const at = `${path}:${i + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (error) {
        throw invalid(`${at}: not valid JSON: ${(error as Error).message}`);
      }
      const parsed = EvalCase.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw invalid(`${at}: ${issue.path.join('.') || '(case)'}: ${issue.message}`);
      }
      const id = parsed.data.id ?? `${name}:${i + 1}`;
      if (seen.has(id)) throw invalid(`${at}: id: '${id}' is used by another case`);
      seen.add(id);
      cases.push({ ...parsed.data, id });
    }
  }
  if (cases.length === 0) throw invalid(`no golden set for '${prompt}': the files in ${dir} hold no cases`);
  return { prompt, dir, files: names.map((n) => join(dir, n)), cases, hash: hash.digest('hex') };
}

function invalid(message: string): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message);
}
