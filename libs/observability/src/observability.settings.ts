import { configureMetrics, type MetricsConfig } from './metrics.access.js';

/** What the parsed configuration decides for logs and spans. */
export interface ObservabilitySettings {
  /** pino level for loggers created without an explicit one. */
  logLevel: string;
  /** Log prompt and completion content (credentials stay redacted). */
  logContent: boolean;
  /** Put prompt and completion content on spans. */
  captureContent: boolean;
}

/** The common config's variables that `configureObservability` applies (the metrics ones included). */
export interface ObservabilityConfig extends MetricsConfig {
  LOG_LEVEL: string;
  BALLAST_LOG_CONTENT: boolean;
  BALLAST_CAPTURE_CONTENT: boolean;
}

const DEFAULTS: Readonly<ObservabilitySettings> = Object.freeze({ logLevel: 'info', logContent: false, captureContent: false });
let current: Readonly<ObservabilitySettings> = DEFAULTS;

/**
 * Applies the parsed configuration to loggers created afterwards, to spans and to `/metrics` (token, label limits); content stays off
 * until this is called with it on. The process environment is never read here: `#config` is the one reader.
 *
 * @example
 * const config = ingressConfig.loadOrExit();
 * configureObservability(config);
 */
export function configureObservability(config: ObservabilityConfig): void {
  current = Object.freeze({ logLevel: config.LOG_LEVEL, logContent: config.BALLAST_LOG_CONTENT, captureContent: config.BALLAST_CAPTURE_CONTENT });
  configureMetrics(config);
}

export function observabilitySettings(): Readonly<ObservabilitySettings> {
  return current;
}

/** Back to the defaults (tests). */
export function resetObservabilitySettings(): void {
  current = DEFAULTS;
}
