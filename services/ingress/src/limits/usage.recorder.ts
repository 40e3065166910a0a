import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, TransientError, type Envelope, type UsageEvent } from '#contracts';
import { StageConsumer } from '#messaging';
import type { TenantRepository, UsageAmount } from '#persistence';
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

/**
 * Adds every usage event's tokens and cost to the tenant's windows in Postgres, where every
 * replica's TenantRateLimiter reads them. Events are summed per window for up to 100 ms and written
 * in one transaction; a handler returns only once its event is written, so the offset is committed
 * after the write (a crash in between counts an event twice: the error is on the side of refusing).
 */
@Injectable()
export class UsageRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;
  private pending = new Map<string, UsageAmount>();

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'ingress',
      groupId: USAGE_GROUP,
      fromBeginning: true,
      // Handlers wait for the batched write: many in flight make the batches, not the writes, large.
      concurrency: Math.max(64, this.deps.concurrency),
      handlers: new Map([[TOPICS.usage, (e: Envelope<unknown>) => this.record(e.payload as UsageEvent, Date.parse(e.createdAt))]]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    await this.running?.catch(() => undefined);
  }

  /** Adds one event's amounts to the next write and resolves once that write is done. */
  record(event: UsageEvent, at: number): Promise<void> {
    const amounts = usageAmounts(event, Number.isFinite(at) ? at : Date.now());
    if (amounts.length === 0) return Promise.resolve();
    for (const a of amounts) {
      const key = `${a.tenantId}\u0000${a.metric}\u0000${a.windowStart.getTime()}`;
      const sum = this.pending.get(key);
      if (sum) sum.amount += a.amount;
      else this.pending.set(key, { ...a });
    }
    return this.scheduleFlush();
  }

  /** The write that will take the events arriving now; null when none is waiting. */
  private waiting: Promise<void> | null = null;
  /** The latest write started. */
  private running: Promise<void> | null = null;

  /**
   * Group commit: one write at a time; events that arrive while one runs go into the next, which
   * starts as soon as it ends. So a write never waits on a timer, and throughput is the consumer's
   * concurrency per write rather than one event per write.
   */
  private scheduleFlush(): Promise<void> {
    if (this.waiting) return this.waiting;
    const previous = this.running;
    const flush = (async () => {
      if (previous) await previous.catch(() => undefined);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      this.waiting = null;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      await write(this.deps.tenants, batch);
    })();
    this.waiting = flush;
    this.running = flush;
    flush.then(
      () => this.running === flush && (this.running = null),
      () => this.running === flush && (this.running = null),
    );
    return flush;
  }
}

async function write(tenants: Pick<TenantRepository, 'addUsage'>, batch: UsageAmount[]): Promise<void> {
  try {
    await tenants.addUsage(batch);
  } catch (error) {
    // Every event of the batch is handled again (the consumer retries it), so nothing is lost.
    throw new TransientError('writing tenant usage failed', error);
  }
}
