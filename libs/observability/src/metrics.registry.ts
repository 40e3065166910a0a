import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/** The one Prometheus registry of this process; every service in embedded mode shares it. */
export const metricsRegistry = new Registry();

export interface MetricDefinition<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
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
  return getOrCreate(definition, Counter, () => new Counter({ ...definition, registers: [metricsRegistry] }));
}

/** Get-or-create a histogram; `buckets` only matter on first definition. */
export function histogram<L extends string = string>(
  definition: MetricDefinition<L> & { buckets?: number[] },
): Histogram<L> {
  return getOrCreate(definition, Histogram, () => new Histogram({ ...definition, registers: [metricsRegistry] }));
}

/** Get-or-create a gauge; `collect` runs at every scrape (e.g. to read consumer lag). */
export function gauge<L extends string = string>(
  definition: MetricDefinition<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
): Gauge<L> {
  return getOrCreate(definition, Gauge, () => new Gauge({ ...definition, registers: [metricsRegistry] }));
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

/** The registry in Prometheus text exposition format, as served on `GET /metrics`. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
