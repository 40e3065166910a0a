import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BallastError, ERROR_CODES } from '#contracts';
import { parse } from 'yaml';
import { z } from 'zod';
import { PromptDefinition } from './prompt-definition.schema.js';

/** A prompt definition read from a file, with where it came from for error messages. */
export interface PromptFile {
  path: string;
  definition: PromptDefinition;
}

/**
 * Reads every `*.yaml` / `*.yml` in `dir` (not recursive, sorted by name) and validates it. A
 * file's `name` must match its file name, so `support-answer.yaml` defines `support-answer`.
 *
 * @throws BallastError `ballast.invalid_request` naming the file and the failing field
 */
export async function loadPromptFiles(dir: string): Promise<PromptFile[]> {
  const files = (await readdir(dir)).filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
  return Promise.all(files.map((f) => loadPromptFile(join(dir, f))));
}

export async function loadPromptFile(path: string): Promise<PromptFile> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw invalid(`${path}: not valid YAML (${(cause as Error).message})`, cause);
  }
  const result = PromptDefinition.safeParse(raw);
  if (!result.success) throw invalid(`${path}: ${z.prettifyError(result.error)}`, result.error);
  const expected = basename(path, extname(path));
  if (result.data.name !== expected) {
    throw invalid(`${path}: name '${result.data.name}' must match the file name '${expected}'`);
  }
  return { path, definition: result.data };
}

function invalid(message: string, cause?: unknown): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message, { cause });
}
