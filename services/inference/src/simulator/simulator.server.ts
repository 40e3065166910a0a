import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ChatMessage } from '#contracts';
import { FAULT_HEADER, parseFaultHeader, parseFaultRates, type Fault, type FaultKind } from './faults.js';
import { parseDistribution, sample, type Distribution } from './latency.js';
import { seededRandom, simulatedAnswer, estimateTokens } from '#models';

export interface SimulatorServerOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Time to first token, milliseconds: a number or a distribution (`lognormal:200,1500`). */
  ttft?: string | Distribution;
  /** Output speed in tokens per second after the first token; 0 sends the whole answer at once. */
  tokensPerSecond?: string | Distribution;
  /** Tokens per streamed chunk (OpenAI sends about one). */
  tokensPerChunk?: number;
  /** Share of requests that get each fault: `429=0.05,500=0.02,hang=0.01,slow=0.05,cut=0.02,invalid-json=0.01`. */
  faults?: string;
  /** `Retry-After` seconds on 429 and 503 when the fault does not say. */
  retryAfterSeconds?: number;
  /** Tokens per second of the `slow` fault when it does not say. */
  slowTokensPerSecond?: number;
  embeddingDimensions?: number;
  /** Seeds latency draws and fault picks, so a run can be repeated. */
  seed?: number;
}

export interface SimulatedRequest {
  /** Epoch milliseconds (sub-millisecond precision) when the request arrived. */
  at: number;
  path: string;
  model: string | null;
  stream: boolean;
  fault: FaultKind | null;
}

export interface SimulatorServer {
  url: string;
  port: number;
  /** The most recent requests (up to 10,000), oldest first. */
  readonly requests: readonly SimulatedRequest[];
  close(): Promise<void>;
}

const MODELS = ['sim-1', 'sim-large', 'sim-embed'];
const MAX_LOG = 10_000;
const MAX_BODY = 8 * 1024 * 1024;

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  response_format?: { type?: unknown; json_schema?: { schema?: unknown } } | null;
}

/**
 * The simulator as an HTTP server speaking the OpenAI wire format: `POST /v1/chat/completions`
 * (streamed over SSE or not), `POST /v1/embeddings`, `GET /v1/models`. Answers are the same as the
 * in-process simulator's; latency follows the configured distributions; faults come by rate or on
 * request through the `x-ballast-sim-fault` header.
 */
export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const sim = new Simulator(options);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ keepAlive: true, noDelay: true }, (req, res) => sim.handle(req, res));
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8089, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8089);
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get requests() {
      return sim.log;
    },
    close: () =>
      new Promise<void>((resolve) => {
        sim.stop();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

class Simulator {
  readonly log: SimulatedRequest[] = [];
  private readonly random: () => number;
  private readonly ttft: Distribution;
  private readonly tps: Distribution;
  private readonly rates: [FaultKind, number][];
  private readonly headerUses = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sequence = 0;
  private stopped = false;

  constructor(private readonly options: SimulatorServerOptions) {
    this.random = seededRandom(options.seed ?? 42);
    this.ttft = typeof options.ttft === 'object' ? options.ttft : parseDistribution(options.ttft ?? '0');
    this.tps = typeof options.tokensPerSecond === 'object' ? options.tokensPerSecond : parseDistribution(options.tokensPerSecond ?? '0');
    this.rates = parseFaultRates(options.faults ?? '');
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) return this.models(res);
    if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'ok' });
    if (req.method !== 'POST' || !/^(\/v1)?\/(chat\/completions|embeddings)$/.test(path)) {
      return apiError(res, 404, `no route for ${req.method} ${path}`, 'invalid_request_error');
    }
    readBody(req, (error, raw) => {
      if (error) return apiError(res, 413, error.message, 'invalid_request_error');
      let body: ChatBody;
      try {
        body = JSON.parse(raw) as ChatBody;
      } catch {
        return apiError(res, 400, 'the request body is not valid JSON', 'invalid_request_error');
      }
      let fault: Fault | null;
      try {
        fault = this.faultFor(req);
      } catch (e) {
        return apiError(res, 400, `${FAULT_HEADER}: ${(e as Error).message}`, 'invalid_request_error');
      }
      const stream = body.stream === true;
      this.record({ at: performance.timeOrigin + performance.now(), path, model: typeof body.model === 'string' ? body.model : null, stream, fault: fault?.kind ?? null });
      if (fault && /^\d+$/.test(fault.kind)) return this.failWith(res, Number(fault.kind), fault);
      if (fault?.kind === 'hang') return; // the socket stays open until the caller gives up
      if (path.endsWith('/embeddings')) return this.embeddings(res, body as EmbeddingsBody);
      this.chat(res, body, fault);
    });
  }

  private faultFor(req: IncomingMessage): Fault | null {
    const header = req.headers[FAULT_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    if (value) {
      const rule = parseFaultHeader(value);
      if (rule.times === undefined) return rule.fault;
      const used = this.headerUses.get(value) ?? 0;
      this.headerUses.set(value, used + 1);
      return used < rule.times ? rule.fault : null;
    }
    if (this.rates.length === 0) return null;
    let draw = this.random();
    for (const [kind, rate] of this.rates) {
      if (draw < rate) return { kind };
      draw -= rate;
    }
    return null;
  }

  private failWith(res: ServerResponse, status: number, fault: Fault): void {
    const retryAfter = fault.retryAfter ?? this.options.retryAfterSeconds ?? 1;
    if (status === 429 || status === 503) res.setHeader('retry-after', String(retryAfter));
    const [type, code, message] =
      status === 429
        ? ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests (simulated). Please try again later.']
        : status >= 500
          ? ['server_error', null, 'The server had an error while processing your request (simulated).']
          : ['invalid_request_error', null, `Simulated ${status}.`];
    apiError(res, status, message, type, code);
  }

  private chat(res: ServerResponse, body: ChatBody, fault: Fault | null): void {
    if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      return apiError(res, 400, 'model and messages are required', 'invalid_request_error');
    }
    const model = body.model;
    const messages = (body.messages as { role?: unknown; content?: unknown }[]).map(
      (m): ChatMessage => ({ role: (['system', 'user', 'assistant', 'tool'].includes(String(m.role)) ? m.role : 'user') as ChatMessage['role'], content: textOf(m.content) }),
    );
    const maxTokens = numberOr(body.max_completion_tokens, numberOr(body.max_tokens, Number.POSITIVE_INFINITY));
    const answer = simulatedAnswer({ model, messages, ...schemaOf(body.response_format) }, maxTokens);
    let tokens = answer.tokens;
    if (fault?.kind === 'invalid-json') tokens = tokens.slice(0, Math.max(1, Math.floor(tokens.length / 2))).concat([' …']);
    const finishReason = answer.truncated ? 'length' : 'stop';
    const usage = usageBlock(answer.inputTokens, tokens.length);
    const id = `chatcmpl-sim${(++this.sequence).toString(36).padStart(8, '0')}`;
    const created = Math.floor(Date.now() / 1000);
    const ttftMs = sample(this.ttft, this.random);
    const tps = fault?.kind === 'slow' ? (fault.tps ?? this.options.slowTokensPerSecond ?? 2) : sample(this.tps, this.random);
    const perChunk = Math.max(1, this.options.tokensPerChunk ?? 1);
    const gapMs = tps > 0 ? (perChunk / tps) * 1000 : 0;

    if (body.stream !== true) {
      const delay = ttftMs + (tps > 0 ? (tokens.length / tps) * 1000 : 0);
      return this.later(res, delay, () => {
        const text = JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
          usage,
          service_tier: 'default',
          system_fingerprint: 'fp_ballast_sim',
        });
        if (fault?.kind === 'cut') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          return this.cut(res);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_ballast_sim',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      })}\n\n`;
    const pieces: string[] = [];
    for (let i = 0; i < tokens.length; i += perChunk) pieces.push(tokens.slice(i, i + perChunk).join(''));
    const cutAfter = fault?.kind === 'cut' ? Math.min(fault.after ?? Math.floor(pieces.length / 2), pieces.length) : -1;
    const badAt = fault?.kind === 'bad-chunk' ? Math.floor(pieces.length / 2) : -1;
    this.later(res, ttftMs, () => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
      const send = (i: number): void => {
        if (res.destroyed) return;
        if (i === cutAfter) return this.cut(res);
        if (i === badAt) res.write(`data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"delta":\n\n`);
        if (i < pieces.length) {
          res.write(chunk({ content: pieces[i] }, null));
          return gapMs > 0 ? this.later(res, gapMs, () => send(i + 1)) : send(i + 1);
        }
        res.write(chunk({}, finishReason));
        if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_ballast_sim', choices: [], usage })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      send(0);
    });
  }

  private embeddings(res: ServerResponse, body: EmbeddingsBody): void {
    const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) && body.input.every((i) => typeof i === 'string') ? (body.input as string[]) : null;
    if (!inputs || typeof body.model !== 'string') return apiError(res, 400, 'model and input (a string or an array of strings) are required', 'invalid_request_error');
    const dimensions = numberOr(body.dimensions, this.options.embeddingDimensions ?? 256);
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const vector = embed(text, dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    });
    const tokens = inputs.reduce((n, text) => n + estimateTokens(text), 0);
    json(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  private models(res: ServerResponse): void {
    json(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'ballast' })) });
  }

  /** Drops the connection once what was written has left, so the caller sees a response that stops. */
  private cut(res: ServerResponse): void {
    this.later(res, 5, () => res.socket?.destroy());
  }

  private later(res: ServerResponse, ms: number, fn: () => void): void {
    if (this.stopped) return;
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) fn();
    }, ms);
    this.timers.add(timer);
  }

  private record(entry: SimulatedRequest): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }
}

interface EmbeddingsBody {
  model?: unknown;
  input?: unknown;
  dimensions?: unknown;
  encoding_format?: unknown;
}

function schemaOf(format: ChatBody['response_format']): { schema?: Record<string, unknown> } {
  if (format?.type === 'json_schema' && typeof format.json_schema?.schema === 'object' && format.json_schema.schema !== null) {
    return { schema: format.json_schema.schema as Record<string, unknown> };
  }
  if (format?.type === 'json_object') return { schema: { type: 'object', properties: { answer: { type: 'string' } } } };
  return {};
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function usageBlock(input: number, output: number) {
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** A unit vector derived from the text: the same text always embeds the same. */
function embed(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest().readUInt32LE(0);
  const random = seededRandom(seed);
  const vector = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}

function readBody(req: IncomingMessage, done: (error: Error | null, body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      if (!failed) done(new Error(`the request body is larger than ${MAX_BODY} bytes`), '');
      failed = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!failed) done(null, Buffer.concat(chunks).toString('utf8'));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function apiError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  json(res, status, { error: { message, type, param: null, code } });
}
