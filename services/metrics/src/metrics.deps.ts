import type { Publisher, Transport } from '#messaging';
import { createLogger } from '#observability';
import { AlertEngine, type AlertClock, type AlertSink } from './alerts/alert.engine.js';
import { BusAlertSink, WebhookAlertSink } from './alerts/alert.sinks.js';
import { MetricsHistory } from './history/metrics-history.js';
import type { MetricsConfig } from './metrics.config.js';
import type { MetricsDeps } from './metrics.tokens.js';

const systemClock: AlertClock = { now: () => Date.now() };

/** The metrics stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function metricsDepsFromConfig(
  config: MetricsConfig,
  platform: { publisher: Publisher; transport?: Transport; clock?: AlertClock },
): MetricsDeps {
  const clock = platform.clock ?? systemClock;
  const history = new MetricsHistory(config.BALLAST_METRICS_HISTORY_HOURS * 3_600_000);
  const sinks: AlertSink[] = [new BusAlertSink(platform.publisher)];
  if (config.BALLAST_ALERT_WEBHOOK_URL) sinks.push(new WebhookAlertSink(config.BALLAST_ALERT_WEBHOOK_URL, config.BALLAST_ALERT_WEBHOOK_TIMEOUT_MS));
  const log = createLogger({ service: 'metrics' }).child({ logger: 'ballast.alerts' });
  const alerts = new AlertEngine({
    history,
    clock,
    sinks,
    // The message only: a fetch error's cause can carry the webhook's address, which is a secret.
    onSinkError: (sink, error) => log.warn({ sink, error: error instanceof Error ? error.message : String(error) }, 'alert not delivered'),
  });
  return { history, alerts, clock, alertIntervalMs: config.BALLAST_ALERT_INTERVAL_MS, ...(platform.transport ? { transport: platform.transport } : {}) };
}
