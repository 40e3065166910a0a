import { createHash, timingSafeEqual } from 'node:crypto';
import { configureLabelLimits } from './metrics.labels.js';

/** The common config's variables that `configureMetrics` applies. */
export interface MetricsConfig {
  BALLAST_METRICS_TOKEN?: string | undefined;
  BALLAST_METRICS_SERIES_TTL_MS?: number | undefined;
  BALLAST_METRICS_MAX_SERIES?: number | undefined;
}

/** What a scrape may see: everything, everything but per-tenant series, or nothing. */
export type MetricsAccess = 'all' | 'without-tenants' | 'refused';

let tokenDigest: Buffer | null = null;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Applies the parsed configuration to `/metrics` and to metric labels. With a token, a scrape needs
 * `Authorization: Bearer <token>`; without one, scrapes see everything except per-tenant series.
 *
 * @example
 * const config = ingressConfig.loadOrExit();
 * configureMetrics(config);
 */
export function configureMetrics(config: MetricsConfig): void {
  tokenDigest = config.BALLAST_METRICS_TOKEN ? digest(config.BALLAST_METRICS_TOKEN) : null;
  configureLabelLimits({
    ...(config.BALLAST_METRICS_SERIES_TTL_MS ? { seriesTtlMs: config.BALLAST_METRICS_SERIES_TTL_MS } : {}),
    ...(config.BALLAST_METRICS_MAX_SERIES ? { maxSeriesPerMetric: config.BALLAST_METRICS_MAX_SERIES } : {}),
  });
}

/** Decides what a scrape with this `Authorization` header may see; the token is compared in constant time. */
export function metricsAccess(authorization: string | undefined): MetricsAccess {
  if (tokenDigest === null) return 'without-tenants';
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), tokenDigest) ? 'all' : 'refused';
}
