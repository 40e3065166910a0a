import { TOPICS, createEnvelope, type LlmRequest } from '#contracts';
import type { OutcomeTracker } from './outcome.tracker.js';

/** One request the generator wants on the bus, and when it was due. */
export interface PlannedRequest {
  requestId: string;
  scheduledAt: number;
  value: Buffer;
}

/** Puts a batch of requests on `ballast.requests.v1`; must not wait for the bus longer than it has to. */
export type RequestSink = (batch: readonly PlannedRequest[]) => void;

/** Picks the question for request number `i`: all distinct (cache misses) or a small repeating pool (hits). */
export type QuestionPicker = (i: number) => string;

export const distinctQuestions =
  (salt: string): QuestionPicker =>
  (i) =>
    `Can I still change the delivery address of parcel ${salt}-${i} once it has left your warehouse?`;

/** The same `size` questions over and over: after one warm-up pass every request is a cache hit. */
export const pooledQuestions =
  (size: number): QuestionPicker =>
  (i) =>
    `What is your return policy for items in product category ${i % size}?`;

/** The `LlmRequest` envelope a backend would publish, as bytes. */
export function requestRecord(requestId: string, question: string, tenantId: string): Buffer {
  const request: LlmRequest = {
    requestId,
    tenantId,
    prompt: { name: 'support-answer', label: 'production' },
    variables: { question },
    messages: [],
    options: { cache: 'default', judge: 'default' },
    metadata: { source: 'ballast-bench' },
  };
  return Buffer.from(JSON.stringify(createEnvelope(TOPICS.requests, request, { requestId, tenantId })));
}

export interface OpenLoopOptions {
  ratePerSecond: number;
  durationMs: number;
  idPrefix: string;
  tenantId: string;
  question: QuestionPicker;
  sink: RequestSink;
  tracker: OutcomeTracker;
  /** Timer granularity; each tick sends what fell due since the last one. */
  tickMs?: number;
  /**
   * Stop offering once this many seconds of traffic wait for an outcome: the system is saturated,
   * its latency only grows with the run's length, and draining a longer backlog only costs time.
   */
  maxBacklogSeconds?: number;
}

/** How an open-loop run ended. */
export interface OpenLoopEnd {
  /** Set when the run stopped early because the backlog passed `maxBacklogSeconds`. */
  saturated: { afterMs: number; backlog: number } | null;
}

/**
 * Open loop: request `i` is due at `start + i / rate`, whatever happened to earlier ones. A late
 * tick sends everything that fell due (so the offered rate holds), and latency is measured from the
 * due time, so the sender being late counts against the system rather than hiding its stalls.
 */
export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopEnd> {
  const total = Math.max(1, Math.round((o.ratePerSecond * o.durationMs) / 1000));
  const interval = 1000 / o.ratePerSecond;
  const tick = o.tickMs ?? 1;
  const start = performance.now();
  const maxBacklog = o.maxBacklogSeconds === undefined ? Number.POSITIVE_INFINITY : o.maxBacklogSeconds * o.ratePerSecond;
  let next = 0;
  while (next < total) {
    let due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    // A late tick may owe thousands of requests; never queue more than the backlog limit allows.
    const room = maxBacklog - o.tracker.outstanding;
    const saturated = due - next > room;
    if (saturated) due = next + Math.max(0, Math.floor(room));
    if (due > next) {
      const batch: PlannedRequest[] = [];
      for (; next < due; next++) {
        const requestId = `${o.idPrefix}-${next}`;
        batch.push({ requestId, scheduledAt: start + next * interval, value: requestRecord(requestId, o.question(next), o.tenantId) });
      }
      for (const r of batch) o.tracker.sentOne(r.requestId, r.scheduledAt);
      o.sink(batch);
    }
    if (saturated) return { saturated: { afterMs: performance.now() - start, backlog: o.tracker.outstanding } };
    if (next < total) await new Promise((r) => setTimeout(r, tick));
  }
  return { saturated: null };
}

/** The note for a row whose run stopped early. */
export function saturationNote(end: OpenLoopEnd): string[] {
  const s = end.saturated;
  return s ? [`saturated: stopped offering after ${(s.afterMs / 1000).toFixed(1)} s with ${s.backlog.toLocaleString('en-US')} requests waiting for an outcome`] : [];
}

export interface BurstOptions {
  count: number;
  idPrefix: string;
  tenantId: string;
  question: QuestionPicker;
  sink: RequestSink;
  tracker: OutcomeTracker;
  /** Records per send call. */
  chunk?: number;
}

/**
 * Everything at once: the records are built first, then all handed to the bus back to back, so the
 * figure is the pipeline's drain rate and not the generator's. Latency is time-to-drain.
 */
export async function runBurst(o: BurstOptions): Promise<void> {
  const chunk = o.chunk ?? 500;
  const records: PlannedRequest[] = [];
  for (let i = 0; i < o.count; i++) {
    const requestId = `${o.idPrefix}-${i}`;
    records.push({ requestId, scheduledAt: 0, value: requestRecord(requestId, o.question(i), o.tenantId) });
  }
  const start = performance.now();
  for (let i = 0; i < records.length; i += chunk) {
    const batch = records.slice(i, i + chunk);
    for (const r of batch) o.tracker.sentOne(r.requestId, start);
    o.sink(batch);
  }
}
