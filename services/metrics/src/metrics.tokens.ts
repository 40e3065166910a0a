import type { Transport } from '#messaging';
import type { AlertClock, AlertEngine } from './alerts/alert.engine.js';
import type { HistoryPersistence } from './history/history.persistence.js';
import type { MetricsHistory } from './history/metrics-history.js';

export const METRICS_DEPS = Symbol('METRICS_DEPS');

/** What the metrics stage needs from outside, built by `metricsDepsFromConfig`. */
export interface MetricsDeps {
  /** Per-minute roll-up the detectors and the dashboard read. */
  history: MetricsHistory;
  alerts: AlertEngine;
  clock: AlertClock;
  /** How often `AlertScheduler` runs the detectors; 0 never (tests call `alerts.evaluate()`). */
  alertIntervalMs: number;
  /** Where the history is stored (Postgres, PGlite); absent: memory only, lost on restart. */
  persistence?: HistoryPersistence;
  /** How often `HistoryScheduler` flushes to and refreshes from the store; 0 never (tests call `persistence.flush()`). */
  historyFlushIntervalMs: number;
  /** How often `ConsumerLagMonitor` reads every service group's lag from the transport; 0 never. */
  consumerLagIntervalMs: number;
  /** When present, dead letters on `ballast.dlq.v1` are counted (raw records: a DLQ record may be malformed). */
  transport?: Transport;
}
