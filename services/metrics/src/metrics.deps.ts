import type { MetricsConfig } from './metrics.config.js';
import type { MetricsDeps } from './metrics.tokens.js';

/** The metrics stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function metricsDepsFromConfig(_config: MetricsConfig): MetricsDeps {
  return {};
}
