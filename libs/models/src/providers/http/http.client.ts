import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ProviderCallError } from '../provider-call.error.js';
import { retryAfterMs } from './retry-after.js';

export interface StreamHandlers {
  /** Called once with the status and headers of a 2xx response. */
  onResponse?(status: number, headers: IncomingHttpHeaders): void;
  onData(chunk: Buffer): void;
}

export interface PostOptions {
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** Fails the call with `stalled` when no byte arrives for this long (before the headers, or between chunks). */
  idleTimeoutMs?: number;
}

const MAX_ERROR_BODY = 64 * 1024;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/**
 * A streaming JSON POST over node:http with keep-alive, an idle timer and the request's abort
 * signal: the one HTTP layer under both provider adapters, so there is exactly one place that
 * decides what a failed call was. It never retries.
 */
export class HttpStreamClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(options: { maxSockets?: number } = {}) {
    const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
    this.httpAgent = new HttpAgent(agent);
    this.httpsAgent = new HttpsAgent(agent);
  }

  /** Resolves when a 2xx body has been read to its end; rejects with `ProviderCallError` otherwise. */
  post(options: PostOptions, handlers: StreamHandlers): Promise<void> {
    const { url, signal } = options;
    if (signal.aborted) return Promise.reject(timeoutError(signal));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const https = url.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: https ? this.httpsAgent : this.httpAgent,
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
      });
      const finish = (error?: ProviderCallError) => {
        if (settled) return;
        settled = true;
        if (idle) clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else {
          resolve();
        }
      };
      const onAbort = () => finish(timeoutError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      if (options.idleTimeoutMs && options.idleTimeoutMs > 0) {
        const ms = options.idleTimeoutMs;
        idle = setTimeout(() => finish(new ProviderCallError('stalled', `no data from the provider for ${ms} ms`)), ms);
        idle.unref();
      }
      req.on('error', (error: NodeJS.ErrnoException) => finish(connectionError(error)));
      req.on('response', (res: IncomingMessage) => {
        idle?.refresh();
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          readErrorBody(res, (body) => finish(httpError(status, res.headers, body)));
          return;
        }
        handlers.onResponse?.(status, res.headers);
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          idle?.refresh();
          try {
            handlers.onData(chunk);
          } catch (error) {
            finish(error instanceof ProviderCallError ? error : new ProviderCallError('invalid_response', describe(error), { cause: error }));
          }
        });
        res.on('end', () => finish());
        res.on('error', (error: NodeJS.ErrnoException) =>
          finish(new ProviderCallError('truncated', `the connection broke mid-response (${error.code ?? error.message})`, { cause: error })),
        );
        res.on('close', () => {
          if (!res.complete) finish(new ProviderCallError('truncated', 'the provider closed the connection before the response was complete'));
        });
      });
      req.end(options.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function readErrorBody(res: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    if (size < MAX_ERROR_BODY) chunks.push(chunk);
    size += chunk.length;
  });
  res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  res.on('error', () => done(Buffer.concat(chunks).toString('utf8')));
}

/** The provider's error type or code from an OpenAI (`{error:{type,code}}`) or Anthropic (`{type:'error',error:{type}}`) body. */
export function providerErrorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; type?: unknown } | string };
    const error = parsed.error;
    if (typeof error === 'string') return undefined;
    const code = error?.code ?? error?.type;
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function httpError(status: number, headers: IncomingHttpHeaders, body: string): ProviderCallError {
  const code = providerErrorCode(body);
  const retryAfter = retryAfterMs(headers);
  return new ProviderCallError('http', `HTTP ${status}${code ? ` (${code})` : ''}`, {
    status,
    ...(code ? { providerCode: code } : {}),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
}

function connectionError(error: NodeJS.ErrnoException): ProviderCallError {
  if (error.name === 'AbortError') return new ProviderCallError('timeout', 'the call was aborted', { cause: error });
  const code = typeof error.code === 'string' ? error.code : undefined;
  const what = code && CONNECTION_CODES.has(code) ? code : error.message || 'connection failed';
  return new ProviderCallError('connection', `connection error: ${what}`, { cause: error });
}

function timeoutError(signal: AbortSignal): ProviderCallError {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  return new ProviderCallError('timeout', reason?.message ? `the call was cut off: ${reason.message}` : 'the call ran out of time', { cause: signal.reason });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
