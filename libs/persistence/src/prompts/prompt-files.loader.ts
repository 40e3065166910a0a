import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BallastError, ERROR_CODES } from '#contracts';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
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
 * @throws BallastError `ballast.invalid_request` with one line: `file:line:column: field: problem`
 */
export async function loadPromptFiles(dir: string): Promise<PromptFile[]> {
  const files = (await readdir(dir)).filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
  return Promise.all(files.map((f) => loadPromptFile(join(dir, f))));
}

export async function loadPromptFile(path: string): Promise<PromptFile> {
  return parsePromptFile(path, await readFile(path, 'utf8'));
}

/** Validates the text of a prompt file; `path` names it in errors and must match its `name`. */
export function parsePromptFile(path: string, text: string): PromptFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw invalid(`${path}:${at.line}:${at.col}: not valid YAML: ${firstLine(syntax.message)}`, syntax);
  }
  const result = PromptDefinition.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    const field = issue.path.length > 0 ? issue.path.join('.') : '(file)';
    throw invalid(`${where(path, doc, lines, issue.path)}: ${field}: ${issue.message}${more}`, result.error);
  }
  const expected = basename(path, extname(path));
  if (result.data.name !== expected) {
    throw invalid(`${where(path, doc, lines, ['name'])}: name: '${result.data.name}' must match the file name '${expected}'`);
  }
  return { path, definition: result.data };
}

/** `path:line:column` of the value at `fieldPath`, or of its nearest parent present in the file. */
function where(path: string, doc: Document, lines: LineCounter, fieldPath: z.core.$ZodIssue['path']): string {
  for (let n = fieldPath.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const at = lines.linePos(node.range[0]);
      return `${path}:${at.line}:${at.col}`;
    }
  }
  return `${path}:1:1`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function invalid(message: string, cause?: unknown): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message, { cause });
}
