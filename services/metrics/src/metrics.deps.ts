import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Publisher, Transport } from '#messaging';
import { createLogger } from '#observability';
import { TypeormAlertStateRepository, TypeormMetricsHistoryRepository, type AlertStateRepository, type MetricsHistoryRepository } from '#persistence';
import { AlertEngine, type AlertClock, type AlertSink } from './alerts/alert.engine.js';
import { BusAlertSink, WebhookAlertSink } from './alerts/alert.sinks.js';
import { HistoryPersistence } from './history/history.persistence.js';
import { MetricsHistory } from './history/metrics-history.js';
import type { MetricsConfig } from './metrics.config.js';
import type { MetricsDeps } from './metrics.tokens.js';

const systemClock: AlertClock = { now: () => Date.now() };

/** The metrics stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function metricsDepsFromConfig(
  config: MetricsConfig,
  platform: { publisher: Publisher; transport?: Transport; clock?: AlertClock; dataSource?: DataSource | null; historyRepository?: MetricsHistoryRepository; alertState?: AlertStateRepository },
): MetricsDeps {
  const clock = platform.clock ?? systemClock;
  const memoryMs = config.BALLAST_METRICS_HISTORY_HOURS * 3_600_000;
  const history = new MetricsHistory(memoryMs);
  const repository = platform.historyRepository ?? (platform.dataSource ? new TypeormMetricsHistoryRepository(platform.dataSource) : undefined);
  const persistence = repository
    ? new HistoryPersistence({ history, repository, writer: randomUUID(), now: () => clock.now(), memoryMs, retentionMs: config.BALLAST_METRICS_RETENTION_HOURS * 3_600_000 })
    : undefined;
  // Alert state goes where the history goes: shared history means every replica detects the same
  // conditions, so they claim each transition in one table and only the winner publishes it.
  const alertState = platform.alertState ?? (platform.dataSource ? new TypeormAlertStateRepository(platform.dataSource) : undefined);
  const sinks: AlertSink[] = [new BusAlertSink(platform.publisher)];
  if (config.BALLAST_ALERT_WEBHOOK_URL) sinks.push(new WebhookAlertSink(config.BALLAST_ALERT_WEBHOOK_URL, config.BALLAST_ALERT_WEBHOOK_TIMEOUT_MS));
  const log = createLogger({ service: 'metrics' }).child({ logger: 'ballast.alerts' });
  const alerts = new AlertEngine({
    history,
    clock,
    sinks,
    ...(alertState ? { state: alertState } : {}),
    resolvedRetentionMs: config.BALLAST_METRICS_RETENTION_HOURS * 3_600_000,
    // The message only: a fetch error's cause can carry the webhook's address, which is a secret.
    onSinkError: (sink, error) => log.warn({ sink, error: error instanceof Error ? error.message : String(error) }, 'alert not delivered'),
  });
  return {
    history,
    alerts,
    clock,
    alertIntervalMs: config.BALLAST_ALERT_INTERVAL_MS,
    historyFlushIntervalMs: config.BALLAST_METRICS_FLUSH_INTERVAL_MS,
    consumerLagIntervalMs: config.BALLAST_CONSUMER_LAG_INTERVAL_MS,
    ...(persistence ? { persistence } : {}),
    ...(platform.transport ? { transport: platform.transport } : {}),
  };
}
