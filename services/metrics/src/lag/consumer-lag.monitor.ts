import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONSUMER_GROUPS } from './consumer-groups.js';
import type { Transport } from '#messaging';
import { createLogger } from '#observability';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';
import { pipelineMetrics } from '../record/pipeline.metrics.js';

const GROUPS = Object.entries(CONSUMER_GROUPS).map(([groupId, topics]) => ({ groupId, topics }));

/** Reads every service group's lag once and sets `ballast_consumer_lag{group,topic}`; returns how many series it set. */
export async function recordConsumerLag(transport: Transport): Promise<number> {
  if (!transport.consumerLag) return 0;
  const lags = await transport.consumerLag(GROUPS);
  for (const { groupId, topic, lag } of lags) pipelineMetrics.consumerLag.set({ group: groupId, topic }, lag);
  return lags.length;
}

/**
 * Polls consumer lag every `consumerLagIntervalMs` (Kafka: the admin client's committed offsets
 * against the high watermarks; embedded: the in-memory bus's queue depth), off the request path.
 */
@Injectable()
export class ConsumerLagMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private failing = false;
  private readonly log = createLogger({ service: 'metrics' }).child({ logger: 'ballast.consumer-lag' });

  constructor(@Inject(METRICS_DEPS) private readonly deps: MetricsDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.deps.transport?.consumerLag || this.deps.consumerLagIntervalMs <= 0) return;
    this.poll();
    this.timer = setInterval(() => this.poll(), this.deps.consumerLagIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private poll(): void {
    if (this.running || !this.deps.transport) return;
    this.running = recordConsumerLag(this.deps.transport)
      .then(() => (this.failing = false))
      .catch((error: unknown) => {
        // One line per outage, not one per poll.
        if (!this.failing) this.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'consumer lag not read');
        this.failing = true;
      })
      .finally(() => (this.running = undefined));
  }
}
