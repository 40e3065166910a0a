import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, TransientError, type Envelope, type UsageEvent } from '#contracts';
import { StageConsumer } from '#messaging';
import type { UsageAmount } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { USAGE_QUOTAS, usageWindow } from './usage-windows.js';

/** The shared consumer group (one record per event across replicas) that feeds tokens and cost into the tenant usage windows. */
export const USAGE_GROUP = 'ingress-usage';

/**
 * The amounts one usage event adds: its cost to the USD windows (every kind: inference, judge,
 * embeddings), its input and output tokens to `tokensPerMinute` (model calls only), each in the
 * window of the event's time.
 */
export function usageAmounts(event: UsageEvent, at: number): UsageAmount[] {
  const out: UsageAmount[] = [];
  for (const metric of USAGE_QUOTAS) {
    const amount = metric === 'tokensPerMinute' ? (event.kind === 'inference' ? event.inputTokens + event.outputTokens : 0) : (event.costUsd ?? 0);
    if (amount > 0) out.push({ tenantId: event.tenantId, metric, windowStart: new Date(usageWindow(metric, at).start), amount });
  }
  return out;
}

/** Usage is written at most this often per replica, whatever the traffic (PGlite has one connection to share). */
export const USAGE_WRITE_INTERVAL_MS = 200;

/**
 * Adds every usage event's tokens and cost to the tenant's windows in Postgres, where every
 * replica's TenantRateLimiter reads them. Events are summed per tenant and window in memory and
 * written together every 200 ms in one transaction, so the database sees at most five small writes a
 * second per replica at any load. A failed write keeps its sums for the next one. A handler returns
 * once its event is summed, so a replica that dies loses at most the last 200 ms of sums (a budget
 * then undercounts by that much); a redelivered event is counted twice (on the side of refusing).
 */
@Injectable()
export class UsageRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;
  private pending = new Map<string, UsageAmount>();
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> | null = null;

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), USAGE_WRITE_INTERVAL_MS);
    this.timer.unref();
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'ingress',
      groupId: USAGE_GROUP,
      fromBeginning: true,
      concurrency: this.deps.concurrency,
      handlers: new Map([[TOPICS.usage, async (e: Envelope<unknown>) => this.record(e.payload as UsageEvent, Date.parse(e.createdAt))]]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  /** Adds one event's amounts to the sums the next write takes. */
  record(event: UsageEvent, at: number): void {
    for (const a of usageAmounts(event, Number.isFinite(at) ? at : Date.now())) this.add(a);
  }

  /** Writes the sums gathered so far (after any write under way); a failed write puts its sums back. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.deps.tenants.addUsage(batch).then(
      () => undefined,
      (error: unknown) => {
        for (const a of batch) this.add(a);
        throw new TransientError('writing tenant usage failed; the sums are kept for the next write', error);
      },
    );
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private add(a: UsageAmount): void {
    const key = `${a.tenantId}\u0000${a.metric}\u0000${a.windowStart.getTime()}`;
    const sum = this.pending.get(key);
    if (sum) sum.amount += a.amount;
    else this.pending.set(key, { ...a });
  }
}
