import { defineConfig, int, offPathConsumerConfig, serviceConfig, url, type Config } from '#config';

export const metricsConfig = defineConfig(
  serviceConfig({
    ...offPathConsumerConfig,
    /** Slack-compatible incoming webhook that gets every alert that fires or resolves; unset: bus and dashboard only. */
    BALLAST_ALERT_WEBHOOK_URL: url({ protocols: ['http:', 'https:'] }).optional(),
    BALLAST_ALERT_WEBHOOK_TIMEOUT_MS: int({ min: 100, max: 60_000 }).default(5_000),
    /** How often the detectors run over the per-minute history. */
    BALLAST_ALERT_INTERVAL_MS: int({ min: 1_000, max: 600_000 }).default(15_000),
    /** How long the per-minute history (detectors' baselines, the dashboard) is kept in memory, and reloaded from the store at start. */
    BALLAST_METRICS_HISTORY_HOURS: int({ min: 1, max: 168 }).default(6),
    /** How long the per-minute history is kept in Postgres (PGlite in embedded mode) before the sweeper deletes it. */
    BALLAST_METRICS_RETENTION_HOURS: int({ min: 1, max: 8_760 }).default(168),
    /** How often the metrics service writes its changed minutes to the store and reads other replicas' ones. */
    BALLAST_METRICS_FLUSH_INTERVAL_MS: int({ min: 1_000, max: 300_000 }).default(10_000),
    /** How often the metrics service reads every service consumer group's lag (`ballast_consumer_lag`). */
    BALLAST_CONSUMER_LAG_INTERVAL_MS: int({ min: 1_000, max: 600_000 }).default(15_000),
  }),
);
export type MetricsConfig = Config<typeof metricsConfig.schema>;
