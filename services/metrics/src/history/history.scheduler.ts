import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '#observability';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';

/** How often stored minutes past retention are deleted. */
const SWEEP_INTERVAL_MS = 5 * 60_000;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Loads the stored history at start (so a restart keeps the charts and the detectors' baselines),
 * then every `historyFlushIntervalMs` writes this process's changed minutes and reads other
 * writers' new ones, sweeps minutes and resolved alerts past retention, and flushes once more on shutdown.
 */
@Injectable()
export class HistoryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly log = createLogger({ service: 'metrics' }).child({ logger: 'ballast.metrics-history' });

  constructor(@Inject(METRICS_DEPS) private readonly deps: MetricsDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    const store = this.deps.persistence;
    if (!store) return;
    try {
      await store.sweep();
      await this.deps.alerts.sweep();
      await store.load();
    } catch (error) {
      // The service still records and alerts from memory; the next refresh tries again.
      this.log.warn({ error: message(error) }, 'stored metrics history not loaded');
    }
    if (this.deps.historyFlushIntervalMs > 0) {
      this.timer = setInterval(() => this.run(async () => {
        await store.flush();
        await store.refresh();
      }), this.deps.historyFlushIntervalMs);
      this.timer.unref();
      this.sweeper = setInterval(() => this.run(async () => {
        await store.sweep();
        await this.deps.alerts.sweep();
      }), SWEEP_INTERVAL_MS);
      this.sweeper.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweeper);
    await this.running;
    await this.deps.persistence?.flush().catch((error: unknown) => this.log.warn({ error: message(error) }, 'metrics history not flushed on shutdown'));
  }

  /** One store task at a time: a slow database is never hit by overlapping flushes. */
  private run(task: () => Promise<unknown>): void {
    if (this.running) return;
    this.running = task()
      .catch((error: unknown) => this.log.warn({ error: message(error) }, 'metrics history store failed; minutes stay due for the next flush'))
      .finally(() => (this.running = undefined));
  }
}
