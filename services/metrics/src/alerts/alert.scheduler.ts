import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HEADERS, TOPICS } from '#contracts';
import type { ConsumerHandle } from '#messaging';
import { createLogger } from '#observability';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';
import { pipelineMetrics } from '../record/pipeline.metrics.js';

/**
 * Runs the detectors every `alertIntervalMs` off the request path, and counts dead letters from
 * `ballast.dlq.v1` as raw records (its own consumer group: a dead letter may not be a valid envelope,
 * and the stage consumer would dead-letter it again).
 */
@Injectable()
export class AlertScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private dlq?: ConsumerHandle;
  private readonly log = createLogger({ service: 'metrics' }).child({ logger: 'ballast.alerts' });

  constructor(@Inject(METRICS_DEPS) private readonly deps: MetricsDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.deps.transport) {
      this.dlq = await this.deps.transport.consume({
        groupId: 'metrics-dlq',
        topics: [TOPICS.dlq],
        concurrency: 1,
        handle: async (record) => {
          this.deps.history.recordDeadLetter(this.deps.clock.now());
          pipelineMetrics.deadLetters.inc({ stage: record.headers[HEADERS.failedStage] ?? '-' });
        },
      });
    }
    if (this.deps.alertIntervalMs > 0) {
      this.timer = setInterval(() => this.tick(), this.deps.alertIntervalMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.dlq?.stop();
  }

  private tick(): void {
    if (this.running) return; // a slow evaluation is never overlapped by the next one
    this.running = this.deps.alerts
      .evaluate()
      .catch((error: unknown) => this.log.error({ error: error instanceof Error ? error.message : String(error) }, 'alert evaluation failed'))
      .finally(() => (this.running = undefined));
  }
}
