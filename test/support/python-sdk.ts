// The official Python `openai` package for the SDK tests: the environment it runs in is `.venv` at the project
// root (git-ignored), created and filled from test/python/requirements.txt when missing, so
// `npm test` works on a clean machine that reaches PyPI.
import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './distributed-stack.js';

const run = promisify(execFile);
export const VENV = join(ROOT, '.venv');
export const VENV_PYTHON = join(VENV, 'bin', 'python');
export const REQUIREMENTS = join(ROOT, 'test', 'python', 'requirements.txt');
/** Calls Ballast through the SDK and prints what it saw as JSON (`PythonSdkObservations`). */
export const PYTHON_SDK_SCRIPT = join(ROOT, 'test', 'python', 'openai_sdk_check.py');

const lastLine = (text: string | undefined) => (text ?? '').trim().split('\n').filter(Boolean).at(-1) ?? '';

/** Makes `.venv` with the pinned `openai`; throws one line saying what is missing when it cannot. */
export async function ensurePythonOpenAi(): Promise<string> {
  // Several jest workers may get here at once on a clean machine: one creates and fills the venv at a time.
  return withLock(`${VENV}.lock`, async () => {
    if (!existsSync(VENV_PYTHON)) {
      try {
        await run('python3', ['-m', 'venv', VENV], { cwd: ROOT, timeout: 120_000 });
      } catch (error) {
        const e = error as { code?: string; stderr?: string; message: string };
        throw new Error(`cannot create ${VENV}: ${e.code === 'ENOENT' ? 'python3 is not installed' : lastLine(e.stderr) || e.message}`, { cause: error });
      }
    }
    try {
      await run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], { cwd: ROOT, timeout: 300_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`pip could not install ${REQUIREMENTS} into ${VENV} (is PyPI reachable?): ${lastLine(e.stderr) || e.message}`, { cause: error });
    }
    return VENV_PYTHON;
  });
}

/** Runs `fn` holding a lock directory (created atomically by mkdir); a lock older than 10 minutes is a crashed holder's. */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} has been held for 10 minutes; remove it if no test is setting up .venv`, { cause: error });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs `script` with the venv's Python and `env`; its stdout parsed as JSON, or one line with its last error line. */
export async function runPythonJson<T>(script: string, env: Record<string, string>, timeoutMs = 120_000): Promise<T> {
  try {
    const { stdout } = await run(VENV_PYTHON, [script], { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 4 * 1024 * 1024 });
    return JSON.parse(stdout) as T;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${script} failed: ${lastLine(e.stderr) || e.message}`, { cause: error });
  }
}

interface SdkError {
  class: string;
  status: number;
  code: string | null;
  param: string | null;
  type: string | null;
}
export interface PythonSdkObservations {
  sdk_version: string;
  completion: { id: string; object: string; content: string; finish_reason: string; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
  cut: { finish_reason: string; completion_tokens: number };
  prompt: { content: string; fingerprint: string | null };
  structured: { city: unknown };
  models: string[];
  errors: Record<'n' | 'tools' | 'model' | 'key', SdkError | null>;
}

/** What every run of the Python script must have seen, embedded or distributed. */
export function expectPythonSdkObservations(seen: PythonSdkObservations, idPrefix: string): void {
  expect(seen.completion).toMatchObject({ id: `${idPrefix}-done`, object: 'chat.completion', finish_reason: 'stop' });
  expect(seen.completion.content).toMatch(/Simulated answer/);
  expect(seen.completion.usage.total_tokens).toBe(seen.completion.usage.prompt_tokens + seen.completion.usage.completion_tokens);
  expect(seen.completion.usage.completion_tokens).toBeGreaterThan(0);
  expect(seen.cut).toEqual({ finish_reason: 'length', completion_tokens: 3 });
  expect(seen.prompt.fingerprint).toMatch(/^support-answer@\d+$/);
  expect(typeof seen.structured.city).toBe('string');
  expect(seen.models).toEqual(expect.arrayContaining(['sim-1', 'prompt:support-answer']));
  expect(seen.errors).toEqual({
    n: { class: 'BadRequestError', status: 400, code: 'ballast.unsupported_parameter', param: 'n', type: 'invalid_request_error' },
    tools: { class: 'BadRequestError', status: 400, code: 'ballast.unsupported_parameter', param: 'tools', type: 'invalid_request_error' },
    model: { class: 'NotFoundError', status: 404, code: 'ballast.model_not_found', param: 'model', type: 'not_found_error' },
    key: { class: 'AuthenticationError', status: 401, code: 'ballast.unauthorized', param: null, type: 'authentication_error' },
  });
}
