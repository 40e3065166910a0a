/**
 * Calls a running ingress's admin API (`/v1/admin/*`) with the admin key, for commands that change
 * what running replicas serve (tenants, keys): BALLAST_URL and BALLAST_ADMIN_KEY.
 */
import { CliError, oneLine } from './cli.js';

export const ADMIN_API_ENVIRONMENT = `
Environment:
  BALLAST_URL        the ingress (default http://localhost:8080)
  BALLAST_ADMIN_KEY  the ingress's admin key (BALLAST_ADMIN_KEY of the running stack)`;

const TIMEOUT_MS = 10_000;

/**
 * Sends one admin request and returns the parsed JSON answer.
 *
 * @throws CliError with one line: no admin key, the ingress unreachable, or the API's own error (code and message)
 */
export async function adminApi<T>(method: string, path: string, body?: unknown, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const key = env['BALLAST_ADMIN_KEY'];
  if (!key) throw new CliError('set BALLAST_ADMIN_KEY to the admin key of the running ingress');
  const base = (env['BALLAST_URL'] || 'http://localhost:8080').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}/v1/admin${path}`);
  } catch {
    throw new CliError(`BALLAST_URL ${base} is not a URL (e.g. http://localhost:8080)`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, 'x-ballast-actor': env['BALLAST_ACTOR'] || 'cli', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw new CliError(`cannot reach the ingress at ${base} (set BALLAST_URL): ${oneLine(cause)}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new CliError(`${base} answered ${res.status} with something that is not JSON: is BALLAST_URL the ingress?`);
  }
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new CliError(`${res.status} ${error?.code ?? 'error'}: ${error?.message ?? res.statusText}`);
  }
  return parsed as T;
}

/** Rows as aligned columns under a header, for people. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
