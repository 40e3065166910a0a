export const METRICS_DEPS = Symbol('METRICS_DEPS');

/** What the metrics stage needs from outside: nothing yet (it reads the bus and serves /metrics); alert sinks will go here. */
export type MetricsDeps = Record<never, never>;
