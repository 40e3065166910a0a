/** Where eval cases run: a Ballast HTTP API (embedded in-process or a running stack), pinned to one prompt version. */
import type { EvalCase } from '#persistence';
import { CliError } from '../cli.js';

export interface CaseAnswer {
  content: string | null;
  /** The version that actually answered (x-ballast-prompt-version / response.prompt). */
  version: number | null;
  model: string | null;
  latencyMs: number;
  costUsd: number | null;
  /** A guardrail blocked the request. */
  blocked: boolean;
  /** Why there is no answer (blocked, failed). */
  error: string | null;
}

export interface EvalTarget {
  readonly name: string;
  ask(prompt: string, version: number, evalCase: EvalCase, requestId: string): Promise<CaseAnswer>;
}

/** `POST /v1/requests?wait=true` with `prompt.version` pinned; the cache is bypassed so the model answers. */
export class HttpEvalTarget implements EvalTarget {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly apiKey: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async ask(prompt: string, version: number, evalCase: EvalCase, requestId: string): Promise<CaseAnswer> {
    const body = {
      requestId,
      prompt: { name: prompt, version },
      ...(evalCase.variables ? { variables: evalCase.variables } : {}),
      ...(evalCase.messages ? { messages: evalCase.messages } : {}),
      options: { cache: 'bypass', judge: 'never' },
    };
    const started = performance.now();
    let response: Response;
    try {
      response = await this.fetchFn(`${this.url.replace(/\/$/, '')}/v1/requests?wait=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(`cannot reach Ballast at ${this.url}: ${causeOf(error)} (is it running? start it with npm start, or leave out --url)`);
    }
    const latencyMs = performance.now() - started;
    const json = (await response.json().catch(() => null)) as {
      status?: string;
      content?: string | null;
      prompt?: { version: number } | null;
      model?: string | null;
      usage?: { costUsd: number | null } | null;
      error?: { code?: string; message?: string } | null;
      code?: string;
      message?: string;
    } | null;
    if (response.status === 401 || response.status === 403) throw new CliError(`Ballast at ${this.url} refused the API key (HTTP ${response.status}): set BALLAST_API_KEY`);
    if (response.status === 404 && json?.code === 'ballast.prompt_not_found') throw new CliError(json.message ?? `prompt ${prompt}@${version} not found at ${this.url}`);
    if (!response.ok || !json) {
      return { content: null, version: null, model: null, latencyMs, costUsd: null, blocked: false, error: `HTTP ${response.status}${json?.message ? `: ${json.message}` : ''}` };
    }
    return {
      content: json.status === 'completed' ? (json.content ?? null) : null,
      version: json.prompt?.version ?? null,
      model: json.model ?? null,
      latencyMs,
      costUsd: json.usage?.costUsd ?? null,
      blocked: json.status === 'blocked',
      error: json.status === 'completed' ? null : `${json.status}${json.error?.message ? `: ${json.error.message}` : ''}`,
    };
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
