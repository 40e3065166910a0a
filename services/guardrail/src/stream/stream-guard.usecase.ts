import { Inject, Injectable } from '@nestjs/common';
import { ERROR_CODES, TOPICS, createEnvelope, type Envelope, type ModelChunk, type StreamChunk, type Verdict } from '#contracts';
import { CoalescingStream } from '#messaging';
import { GuardrailEngine, disclaimersFor } from '../guardrail.engine.js';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import type { GuardrailPolicy } from '../policy/guardrail-policy.js';
import { WindowedRelease, type ReleaseStep } from './windowed-release.js';

type End = NonNullable<StreamChunk['end']>;

interface Session {
  release: WindowedRelease | null;
  policy: GuardrailPolicy | null;
  out: CoalescingStream<End>;
  /** The last model chunk handled: a redelivered one is skipped. */
  seq: number;
  touched: number;
  /** The envelope id of the start chunk: a redelivered start is skipped, a new one (the call ran again) restarts. */
  startId?: string;
}

/** After the first release, text goes out in steps of at least this many words (fewer detector runs). */
const RELEASE_STEP_WORDS = 4;

/** A stream nobody finished (its model chunks stopped coming) is forgotten after this long. */
const IDLE_MS = 10 * 60_000;

/**
 * The output guardrail of a streamed answer: reads the model's chunks (`ballast.model-chunks.v1`)
 * and publishes only text the output detectors passed (`ballast.chunks.v1`), in windows
 * (`WindowedRelease`); a block ends the client's stream with `content_filter` and why. Chunks of
 * one request arrive in order on one partition, so its session lives on the replica that owns the
 * partition; a chunk without its session (the partition moved mid-stream) ends the stream, since
 * text that was not checked from the start cannot be released.
 */
@Injectable()
export class StreamGuardUseCase {
  private readonly sessions = new Map<string, Session>();

  constructor(
    @Inject(GUARDRAIL_DEPS) private readonly deps: GuardrailDeps,
    private readonly engine: GuardrailEngine,
  ) {}

  /** Streams open on this replica (for tests and shutdown reports). */
  get open(): number {
    return this.sessions.size;
  }

  async execute(envelope: Envelope<ModelChunk>): Promise<void> {
    const chunk = envelope.payload;
    const key = `${envelope.tenantId}/${envelope.requestId}`;
    if (chunk.start) return this.start(key, envelope, chunk);
    let session = this.sessions.get(key);
    if (!session) {
      session = this.session(envelope, chunk.seq, null, null);
      this.sessions.set(key, session);
      void session.out.end(failed('the stream moved to another guardrail replica mid-answer and cannot be checked from here; read the outcome instead'));
    }
    if (chunk.seq <= session.seq) return;
    session.seq = chunk.seq;
    session.touched = Date.now();
    if (session.release && !session.out.ended && chunk.delta) this.apply(session, await session.release.push(chunk.delta));
    if (!chunk.end) return;
    this.sessions.delete(key);
    if (session.release && !session.out.ended) {
      const end = chunk.end;
      if (end.finish === 'stop' || end.finish === 'length') {
        const step = await session.release.end();
        if (this.apply(session, step, session.policy ?? undefined)) {
          void session.out.end({ finish: end.finish, finishReason: end.finishReason, usage: end.usage });
        }
      } else {
        void session.out.end({ finish: end.finish, finishReason: end.finishReason, usage: end.usage, ...(end.error ? { error: end.error } : {}) });
      }
    }
    await session.out.done;
  }

  private start(key: string, envelope: Envelope<ModelChunk>, chunk: ModelChunk): Promise<void> {
    this.sweep();
    const previous = this.sessions.get(key);
    if (previous?.startId === envelope.id) return Promise.resolve();
    if (previous && !previous.out.ended) void previous.out.end(failed('the model call started again after part of the answer was streamed; read the outcome instead'));
    const state = chunk.start!.state;
    const policy = this.engine.policyOf(state);
    if (!policy.ok) {
      const session = this.session(envelope, chunk.seq, null, null);
      session.startId = envelope.id;
      this.sessions.set(key, session);
      void session.out.end(cutEnd({ phase: 'output', decision: 'block', detector: 'policy', rule: 'policy_invalid', spans: [], reason: `the prompt's guardrail policy is invalid: ${policy.errors.join('; ')}` }));
      return Promise.resolve();
    }
    const ctx = this.engine.outputContext(state, policy.policy);
    const release = new WindowedRelease((text) => this.engine.scan(text, ctx), state.guard?.stream?.windowTokens ?? policy.policy.output.stream.windowTokens, RELEASE_STEP_WORDS);
    const session = this.session(envelope, chunk.seq, release, policy.policy, state.rendered.model);
    session.startId = envelope.id;
    this.sessions.set(key, session);
    return Promise.resolve();
  }

  private session(envelope: Envelope<ModelChunk>, seq: number, release: WindowedRelease | null, policy: GuardrailPolicy | null, model?: string): Session {
    const ctx = { requestId: envelope.requestId, tenantId: envelope.tenantId, deadline: envelope.deadline };
    const publish = (payload: StreamChunk) => this.deps.publisher.publish(TOPICS.chunks, createEnvelope(TOPICS.chunks, payload, ctx));
    // Chunk 0 opens the client's stream at once; released text and the end follow in order after it.
    const opened = publish({ seq: 0, delta: '', model: model ?? null });
    const out = new CoalescingStream<End>(async (n, delta, end) => {
      await opened;
      await publish({ seq: n, delta, model: null, ...(end ? { end } : {}) });
    }, 1);
    return { release, policy, out, seq, touched: Date.now() };
  }

  /** Sends what the step released; false when it cut the stream. */
  private apply(session: Session, step: ReleaseStep, final?: GuardrailPolicy): boolean {
    if (step.kind === 'cut') {
      void session.out.end(cutEnd(step.verdict));
      return false;
    }
    const extra = final ? disclaimersFor(step.verdicts, final).map((t) => `\n\n${t}`).join('') : '';
    session.out.text(step.text + extra);
    return true;
  }

  private sweep(): void {
    const stale = Date.now() - IDLE_MS;
    for (const [key, s] of this.sessions) if (s.touched < stale) this.sessions.delete(key);
  }
}

function cutEnd(v: Verdict): End {
  return {
    finish: 'content_filter',
    finishReason: 'content_filter',
    usage: null,
    cut: { detector: v.detector, rule: v.rule ?? null, reason: v.reason ?? 'blocked by the output guardrail' },
  };
}

function failed(message: string): End {
  return { finish: 'error', finishReason: 'error', usage: null, error: { code: ERROR_CODES.internal, message } };
}
