import hdr from 'hdr-histogram-js';

/** An outcome as the bench sees it on `ballast.responses.v1`. */
export interface SeenOutcome {
  requestId: string;
  status: string;
  source: string | null;
  /** The error code of a `blocked` or `failed` outcome. */
  errorCode?: string | null;
  /** The per-stage timings the pipeline recorded (`timings.stages` of the response). */
  stages?: ReadonlyArray<{ stage: string; queueMs: number; durationMs: number }>;
  /** When the outcome was put on `responses` (its envelope's `createdAt`), epoch ms. */
  publishedAt?: number;
}

export interface TrackerSummary {
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  /** Outcomes other than `completed`, by `status/error code`. */
  notCompleted: Record<string, number>;
  bySource: Record<string, number>;
  /** Milliseconds from the first scheduled send to the last send / the last outcome. */
  sendSpanMs: number;
  completionSpanMs: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /**
   * Mean time per pipeline hop, from the stage timings in the outcomes: `queue` is from the previous
   * hop's publish to this stage starting (the first one includes ingress), `handle` the stage's work.
   */
  stagesMs: Array<{ stage: string; queue: number; handle: number }>;
}

/**
 * Latency from the moment a request was *scheduled* to be sent (open loop: corrected for
 * coordinated omission, so a stalled sender shows up as latency) to the moment its outcome was read.
 * Recorded in microseconds in an HdrHistogram (3 significant digits).
 */
export class OutcomeTracker {
  private readonly pending = new Map<string, number>();
  private readonly done = new Set<string>();
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  private firstScheduled = Number.POSITIVE_INFINITY;
  private lastSent = 0;
  private lastOutcome = 0;
  private sent = 0;
  private duplicates = 0;
  private readonly notCompleted: Record<string, number> = {};
  private readonly bySource: Record<string, number> = {};
  private waiter: { target: number; resolve: () => void } | null = null;
  private readonly stageSums = new Map<string, { queue: number; handle: number; n: number }>();

  /** Call when a request is handed to the bus; `scheduledAt` is `performance.now()` time. */
  sentOne(requestId: string, scheduledAt: number): void {
    this.pending.set(requestId, scheduledAt);
    this.sent++;
    if (scheduledAt < this.firstScheduled) this.firstScheduled = scheduledAt;
    this.lastSent = performance.now();
  }

  /** Returns false for outcomes of requests this tracker did not send (another scenario, old traffic). */
  outcome(seen: SeenOutcome, at = performance.now()): boolean {
    const scheduledAt = this.pending.get(seen.requestId);
    if (scheduledAt === undefined) {
      if (this.done.has(seen.requestId)) this.duplicates++;
      return false;
    }
    this.pending.delete(seen.requestId);
    this.done.add(seen.requestId);
    this.histogram.recordValue(Math.max(1, Math.round((at - scheduledAt) * 1000)));
    this.lastOutcome = at;
    if (seen.status !== 'completed') {
      const why = seen.errorCode ? `${seen.status} (${seen.errorCode})` : seen.status;
      this.notCompleted[why] = (this.notCompleted[why] ?? 0) + 1;
    }
    if (seen.stages) {
      seen.stages.forEach((t, i) => {
        const key = `${i + 1}. ${t.stage}`;
        const sum = this.stageSums.get(key) ?? { queue: 0, handle: 0, n: 0 };
        sum.queue += t.queueMs;
        sum.handle += t.durationMs;
        sum.n++;
        this.stageSums.set(key, sum);
      });
    }
    if (seen.publishedAt !== undefined) {
      const sum = this.stageSums.get('responses→bench') ?? { queue: 0, handle: 0, n: 0 };
      sum.queue += Math.max(0, Date.now() - seen.publishedAt);
      sum.n++;
      this.stageSums.set('responses→bench', sum);
    }
    const source = seen.source ?? 'none';
    this.bySource[source] = (this.bySource[source] ?? 0) + 1;
    if (this.waiter && this.done.size >= this.waiter.target) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve();
    }
    return true;
  }

  get received(): number {
    return this.done.size;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /**
   * Waits until every sent request has an outcome, or until no outcome arrived for `idleMs`, or
   * `maxMs` passed. What is still outstanding then counts as lost.
   */
  async drain(idleMs: number, maxMs: number): Promise<void> {
    const started = performance.now();
    while (this.pending.size > 0) {
      const before = this.done.size;
      const all = new Promise<void>((resolve) => (this.waiter = { target: this.sent, resolve }));
      await Promise.race([all, sleep(Math.min(idleMs, Math.max(0, maxMs - (performance.now() - started))))]);
      this.waiter = null;
      if (this.pending.size === 0) break;
      if (this.done.size === before || performance.now() - started >= maxMs) break;
    }
  }

  summary(): TrackerSummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us / 10) / 100;
    const any = h.totalCount > 0;
    return {
      sent: this.sent,
      received: this.done.size,
      lost: this.pending.size,
      duplicates: this.duplicates,
      notCompleted: { ...this.notCompleted },
      bySource: { ...this.bySource },
      sendSpanMs: this.sent ? Math.max(0, this.lastSent - this.firstScheduled) : 0,
      completionSpanMs: this.done.size ? Math.max(0, this.lastOutcome - this.firstScheduled) : 0,
      latencyMs: {
        p50: any ? ms(h.getValueAtPercentile(50)) : Number.NaN,
        p95: any ? ms(h.getValueAtPercentile(95)) : Number.NaN,
        p99: any ? ms(h.getValueAtPercentile(99)) : Number.NaN,
        max: any ? ms(h.maxValue) : Number.NaN,
        mean: any ? ms(h.mean) : Number.NaN,
      },
      stagesMs: [...this.stageSums].sort(([a], [b]) => (a === 'responses→bench' ? 1 : b === 'responses→bench' ? -1 : 0)).map(([stage, s]) => ({ stage, queue: Math.round((s.queue / s.n) * 10) / 10, handle: Math.round((s.handle / s.n) * 10) / 10 })),
    };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
