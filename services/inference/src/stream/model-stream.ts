import { ERROR_CODES, TOPICS, createEnvelope, type Envelope, type ModelChunk, type PipelineState } from '#contracts';
import { CoalescingStream, type Publisher } from '#messaging';
import type { CallRecord } from '#models';
import { isFailure, type LedgerEntry } from '../complete/usage.accounting.js';

type End = NonNullable<ModelChunk['end']>;

/** Text that follows a send waits this long for more: one record per 50 ms, not one per token. */
const LINGER_MS = 50;

/**
 * The model's text as it arrives, on `ballast.model-chunks.v1` for the guardrail's windowed check
 * (never straight to a client). Only the first completion of a request the input guardrail marked
 * for streaming is streamed; a re-ask or a fallback model answers whole. Text a failed call had
 * streamed cannot be taken back, so a retry after it ends the stream with an error.
 */
export class ModelStream {
  private emitted = '';
  private broken = false;
  private words = 0;
  private inWord = false;
  private readonly out: CoalescingStream<End>;
  /** The word whose arrival lets the guardrail release its first text: sent at once, not after the linger. */
  private readonly firstReleaseAt: number;

  private constructor(
    private readonly publisher: Publisher,
    private readonly from: Envelope<PipelineState>,
    private readonly state: PipelineState,
  ) {
    this.out = new CoalescingStream<End>((seq, delta, end) => this.publish({ seq, delta, ...(end ? { end } : {}) }), 1, LINGER_MS);
    this.firstReleaseAt = (state.guard?.stream?.windowTokens ?? 0) + 1;
  }

  static for(publisher: Publisher, from: Envelope<PipelineState>, state: PipelineState): ModelStream | null {
    if (!state.guard?.stream || (state.guard.attempt ?? 0) > 0) return null;
    return new ModelStream(publisher, from, state);
  }

  /** Chunk 0: what the guardrail needs to check the stream (policy, canary, system prompt). Sent before the model is called. */
  open(): Promise<void> {
    return this.publish({ seq: 0, delta: '', start: { state: this.state } });
  }

  /** The provider's `onDelta`. */
  readonly delta = (text: string): void => {
    if (this.broken) return;
    this.emitted += text;
    this.out.text(text);
    const before = this.words;
    for (let i = 0; i < text.length; i++) {
      const space = /\s/.test(text[i]!);
      if (!space && !this.inWord) this.words++;
      this.inWord = !space;
    }
    if (before < this.firstReleaseAt && this.words >= this.firstReleaseAt) this.out.flush();
  };

  /** After each provider call: a failed call that had streamed text breaks the stream. */
  called(record: CallRecord): void {
    if (record.error && this.emitted !== '') this.broken = true;
  }

  /** Ends the stream with the request's result; resolves once every chunk is on the bus. */
  async end(entry: LedgerEntry): Promise<void> {
    if (isFailure(entry)) {
      const finish = entry.failed.code === ERROR_CODES.cancelled ? 'cancelled' : 'error';
      await this.out.end({ finish, finishReason: finish, model: null, usage: null, error: entry.failed });
      return;
    }
    // Providers that do not stream (or a JSON body from a server that ignored `stream`) send it all here.
    if (!this.broken && entry.content.startsWith(this.emitted)) this.out.text(entry.content.slice(this.emitted.length));
    else this.broken = true;
    if (this.broken) {
      await this.out.end({
        finish: 'error',
        finishReason: 'error',
        model: entry.model,
        usage: entry.usage,
        error: { code: ERROR_CODES.providerError, message: 'the model call was retried after part of the answer had been streamed; read the whole answer from the outcome' },
      });
      return;
    }
    await this.out.end({ finish: entry.finishReason === 'length' ? 'length' : 'stop', finishReason: entry.finishReason, model: entry.model, usage: entry.usage });
  }

  private publish(chunk: ModelChunk): Promise<void> {
    return this.publisher.publish(TOPICS.modelChunks, createEnvelope(TOPICS.modelChunks, chunk, this.from));
  }
}
