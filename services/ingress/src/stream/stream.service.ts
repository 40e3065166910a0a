import { PassThrough } from 'node:stream';
import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { BallastError, ERROR_CODES, TOPICS, createEnvelope, type LlmRequest, type LlmResponse, type StreamChunk } from '#contracts';
import type { Tenant } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { OutcomeWaiters } from '../outcomes/outcome.waiters.js';
import { RequestLedger } from '../outcomes/request.ledger.js';
import { SubmitRequestUseCase } from '../submit/submit-request.usecase.js';
import { ChunkWaiters } from './chunk.waiters.js';
import { StreamFeed } from './stream.feed.js';
import type { StreamSink } from './stream.sink.js';

/** Thrown when the client went away before its stream began; nobody reads the answer to it. */
const CLIENT_LEFT = new BallastError(ERROR_CODES.cancelled, 'the client closed the connection before the stream began', { status: 499 });

/** After the outcome, how long a stream may still wait for its released chunks before it ends with an error. */
const AFTER_OUTCOME_MS = 10_000;

/** What a stream starts from: released chunks, or a whole answer (a cache hit, a buffered policy, a replay). */
type First = { chunk: StreamChunk } | { outcome: LlmResponse };

export interface HttpReply {
  header(name: string, value: string): unknown;
  /** Fastify's reply has the Node response: its `close` before the stream began means the client left while it waited. */
  raw?: { once(event: 'close', listener: () => void): unknown; off?(event: 'close', listener: () => void): unknown };
}

/**
 * Serves a streamed request: submits it with `options.stream`, waits for the first thing the
 * pipeline says, and then writes server-sent events to the response. A failure before anything
 * was sent is an ordinary HTTP error (the caller's error filter); later ones end the stream. A
 * client that goes away cancels the model call (`ballast.stream-cancels.v1`).
 */
@Injectable()
export class StreamService {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly submit: SubmitRequestUseCase,
    private readonly outcomes: OutcomeWaiters,
    private readonly chunks: ChunkWaiters,
    private readonly ledger: RequestLedger,
  ) {}

  /**
   * Starts the stream and returns the body for the controller to return (`text/event-stream`).
   * @throws BallastError when the request is refused or ends before its stream starts
   */
  async serve(request: LlmRequest, tenant: Tenant, reply: HttpReply, sink: (write: (text: string) => void) => StreamSink): Promise<StreamableFile> {
    const streamed: LlmRequest = { ...request, options: { ...request.options, stream: true } };
    const { tenantId, requestId } = streamed;
    const waitMs = Math.min(streamed.timeoutMs ?? this.deps.limits.defaultTimeoutMs, this.deps.limits.maxTimeoutMs) + 1_000;
    const deadline = Date.now() + waitMs;
    const feed = new StreamFeed();
    // Listen before publishing, so a fast pipeline cannot answer before anyone listens.
    const unlisten = this.chunks.listen(tenantId, requestId, (chunk) => feed.chunk(chunk));
    const waiting = this.outcomes.wait(tenantId, requestId, waitMs);
    void waiting.outcome.then((outcome) => feed.outcome(outcome));
    const done = () => {
      unlisten();
      waiting.cancel();
    };
    // A client that leaves before the first event (a buffered answer, a slow queue) cancels as well.
    const leftEarly = () => feed.close();
    reply.raw?.once('close', leftEarly);
    let first: First;
    try {
      first = await this.first(streamed, tenant, feed, deadline);
    } catch (error) {
      done();
      if (error === CLIENT_LEFT) void this.cancel(streamed);
      throw error;
    } finally {
      reply.raw?.off?.('close', leftEarly);
    }
    const body = new PassThrough();
    let ended = false;
    const write = (text: string) => void (body.writableEnded || body.destroyed ? undefined : body.write(text));
    const out = sink(write);
    body.once('close', () => {
      if (ended) return;
      feed.close();
      void this.cancel(streamed);
    });
    reply.header('cache-control', 'no-cache');
    reply.header('x-ballast-request-id', requestId);
    reply.header('x-ballast-cache', 'outcome' in first ? (first.outcome.cache ?? 'miss') : 'miss');
    void this.pump(first, feed, out, deadline).finally(() => {
      ended = true;
      done();
      body.end();
    });
    return new StreamableFile(body, { type: 'text/event-stream; charset=utf-8' });
  }

  private async first(request: LlmRequest, tenant: Tenant, feed: StreamFeed, deadline: number): Promise<First> {
    const submission = await this.submit.execute(request, tenant);
    if (submission.kind === 'rejected') throw submission.error;
    if (submission.kind === 'duplicate' && submission.outcome) return { outcome: usable(submission.outcome) };
    for (;;) {
      const event = await feed.take(deadline - Date.now());
      if (event?.kind === 'chunk') return { chunk: event.chunk };
      if (event?.kind === 'closed') throw CLIENT_LEFT;
      const outcome = event?.kind === 'outcome' && event.outcome ? event.outcome : await this.ledger.outcome(request.tenantId, request.requestId);
      if (outcome) return { outcome: usable(outcome) };
      if (event === null || event.kind === 'outcome') {
        throw new BallastError(ERROR_CODES.deadlineExceeded, `no answer began in time; poll GET /v1/requests/${request.requestId}`, { status: 504 });
      }
    }
  }

  private async pump(first: First, feed: StreamFeed, out: StreamSink, deadline: number): Promise<void> {
    if ('outcome' in first) {
      const o = first.outcome;
      out.open(o.model ?? '', o.source ?? 'inference');
      out.text(o.content ?? '');
      // The outcome's finish reason (a cache hit keeps the stored answer's); outcomes from before it existed stopped.
      const reason = (o as { finishReason?: string | null }).finishReason ?? 'stop';
      out.end({ finish: reason === 'length' ? 'length' : 'stop', finishReason: reason, usage: o.usage });
      return;
    }
    let chunk: StreamChunk | undefined = first.chunk;
    let outcome: LlmResponse | null = null;
    out.open(chunk.model ?? '', 'inference');
    for (;;) {
      if (chunk) {
        out.text(chunk.delta);
        if (chunk.end) {
          out.end({ ...chunk.end, usage: chunk.end.usage ?? outcome?.usage ?? null });
          return;
        }
      }
      chunk = undefined;
      const wait = Math.min(deadline - Date.now(), outcome ? AFTER_OUTCOME_MS : Number.POSITIVE_INFINITY);
      const event = await feed.take(wait);
      if (event?.kind === 'closed') return;
      if (event?.kind === 'chunk') chunk = event.chunk;
      else if (event?.kind === 'outcome') outcome = event.outcome ?? outcome;
      else {
        out.end({ finish: 'error', finishReason: 'error', usage: null, error: { code: ERROR_CODES.deadlineExceeded, message: 'the stream stopped before its end; read the outcome with GET /v1/requests/<id>' } });
        return;
      }
    }
  }

  private async cancel(request: LlmRequest): Promise<void> {
    const ctx = { requestId: request.requestId, tenantId: request.tenantId };
    await this.deps.publisher.publish(TOPICS.streamCancels, createEnvelope(TOPICS.streamCancels, { reason: 'client_disconnected' }, ctx)).catch(() => undefined);
  }
}

/** An outcome a stream can carry: completed, or a fallback answer; anything else is the HTTP error it would be unstreamed. */
function usable(outcome: LlmResponse): LlmResponse {
  if (outcome.status === 'completed' || outcome.source === 'fallback') return outcome;
  const status = outcome.status === 'blocked' ? 400 : outcome.error?.code === ERROR_CODES.deadlineExceeded ? 504 : 502;
  throw new BallastError((outcome.error?.code ?? ERROR_CODES.internal) as never, outcome.error?.message ?? outcome.status, { status });
}
