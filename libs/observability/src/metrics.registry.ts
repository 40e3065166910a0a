import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { expireLabelDomains, labelLimits, resetLabelLimits, SeriesGuard, withoutPerTenantSeries, type LabelBound } from './metrics.labels.js';

export * from './metrics.labels.js';
export * from './metrics.access.js';

/** The one Prometheus registry of this process; every service in embedded mode shares it. */
export const metricsRegistry = new Registry();

export interface MetricDefinition<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /**
   * Labels whose values must come from a bounded set: a domain of learned values (`'model'`,
   * `'tenant'`, `'prompt'`) or a fixed list; anything else is recorded as `other`. Every label is
   * also checked for a safe shape, and the metric's label sets are capped and expire (see `metrics.labels.ts`).
   */
  labelBounds?: Partial<Record<L, LabelBound>>;
}

/**
 * Returns the counter called `name`, creating it on first use. Defining the same metric from two
 * services (embedded mode) yields one counter; a clash in type or labels throws.
 *
 * @example
 * const hits = counter({ name: 'ballast_cache_hits_total', help: 'Cache hits', labelNames: ['tenant', 'prompt'] });
 * hits.inc({ tenant: 't1', prompt: 'summarise' });
 */
export function counter<L extends string = string>(definition: MetricDefinition<L>): Counter<L> {
  return getOrCreate(definition, Counter, () => guarded(definition, new Counter({ ...metricOptions(definition), registers: [metricsRegistry] }), ['inc']));
}

/** Get-or-create a histogram; `buckets` only matter on first definition. */
export function histogram<L extends string = string>(
  definition: MetricDefinition<L> & { buckets?: number[] },
): Histogram<L> {
  return getOrCreate(definition, Histogram, () =>
    guarded(definition, new Histogram({ ...metricOptions(definition), registers: [metricsRegistry] }), ['observe']),
  );
}

/** Get-or-create a gauge; `collect` runs at every scrape (e.g. to read consumer lag). */
export function gauge<L extends string = string>(
  definition: MetricDefinition<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
): Gauge<L> {
  return getOrCreate(definition, Gauge, () => guarded(definition, new Gauge({ ...metricOptions(definition), registers: [metricsRegistry] }), ['set', 'inc', 'dec']));
}

/** Every label-guarded metric of the registry, by name, for expiry at scrape time. */
const guards = new Map<string, { guard: SeriesGuard<string>; metric: { remove(labels: Record<string, string>): void } }>();

function metricOptions<D extends MetricDefinition<string>>(definition: D): Omit<D, 'labelBounds'> {
  const { labelBounds: _bounds, ...options } = definition;
  return options;
}

/** Routes the metric's label sets through its `SeriesGuard` (the one place label values are bounded). */
function guarded<L extends string, M extends Metric<L>>(definition: MetricDefinition<L>, metric: M, methods: readonly string[]): M {
  const labelNames = definition.labelNames ?? [];
  if (labelNames.length === 0) return metric;
  const guard = new SeriesGuard<L>(labelNames, definition.labelBounds ?? {});
  const target = metric as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = target[method]!.bind(metric);
    target[method] = (labels?: unknown, value?: unknown) =>
      typeof labels === 'object' && labels !== null ? original(guard.admit(labels as Record<L, string>), value) : original(labels, value);
  }
  guards.set(definition.name, { guard: guard as unknown as SeriesGuard<string>, metric: metric as unknown as { remove(labels: Record<string, string>): void } });
  return metric;
}

/** Removes label sets not updated for the series TTL; runs at every scrape. */
export function expireStaleSeries(): void {
  const before = labelLimits().now() - labelLimits().seriesTtlMs;
  for (const { guard, metric } of guards.values()) for (const labels of guard.takeStale(before)) metric.remove(labels);
  expireLabelDomains(before);
}

/** Zeroes every metric and forgets label sets, known values and label limits (tests). */
export function resetAllMetrics(): void {
  metricsRegistry.resetMetrics();
  for (const { guard } of guards.values()) guard.clear();
  resetLabelLimits();
}

/** Label sets a metric currently holds through its guard (tests and diagnostics). */
export function seriesCount(name: string): number {
  return guards.get(name)?.guard.size ?? 0;
}

function getOrCreate<L extends string, M extends Metric<L>>(
  definition: MetricDefinition<L>,
  type: abstract new (...args: never[]) => M,
  create: () => M,
): M {
  const existing = metricsRegistry.getSingleMetric(definition.name);
  if (existing === undefined) return create();
  const existingLabels = [...((existing as unknown as { labelNames?: string[] }).labelNames ?? [])].sort();
  const wantedLabels = [...(definition.labelNames ?? [])].sort();
  if (!(existing instanceof type) || existingLabels.join() !== wantedLabels.join()) {
    throw new Error(
      `Metric ${definition.name} is already defined as ${existing.constructor.name} with labels ` +
        `[${existingLabels.join(', ')}]; it cannot be redefined with labels [${wantedLabels.join(', ')}]`,
    );
  }
  return existing as M;
}

let defaultMetricsOn = false;

/** Adds Node process metrics (CPU, memory, event-loop lag, GC) to the registry; safe to call twice. */
export function enableDefaultMetrics(): void {
  if (defaultMetricsOn) return;
  defaultMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/**
 * The registry in Prometheus text exposition format, as served on `GET /metrics`, after stale series
 * expired. `perTenant: false` leaves out every series labelled with a tenant (unauthenticated scrapes).
 */
export async function renderMetrics(options: { perTenant?: boolean } = {}): Promise<{ contentType: string; body: string }> {
  expireStaleSeries();
  const body = await metricsRegistry.metrics();
  return { contentType: metricsRegistry.contentType, body: options.perTenant === false ? withoutPerTenantSeries(body) : body };
}
