import { BallastError, ERROR_CODES, type Alert } from '#contracts';
import type { MetricsAccess } from '#observability';
import type { AlertEngine } from '../alerts/alert.engine.js';
import { MINUTE_MS, MetricsHistory, emptyBucket, type Histogram, type MinuteBucket } from '../history/metrics-history.js';

/** The longest range one request may ask for, so a page cannot make the service merge days of minutes. */
export const MAX_RANGE_MS = 24 * 3_600_000;
const DEFAULT_RANGE_MS = 3_600_000;

export interface Percentiles {
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/** What `/dashboard/api/series` answers: one value per minute in every array, aligned with `minutes`. */
export interface DashboardSeries {
  from: string;
  to: string;
  /** `all`: the metrics token was sent, per-tenant detail included; `without-tenants`: no token is configured, totals only. */
  access: Exclude<MetricsAccess, 'refused'>;
  /** Minute starts, epoch seconds (what uPlot plots on its x axis). */
  minutes: number[];
  traffic: { completed: number[]; blocked: number[]; failed: number[] };
  tokens: { input: number[]; output: number[] };
  costUsd: number[];
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  /** Hits over look-ups; null in a minute without look-ups. */
  cacheHitRate: (number | null)[];
  verdicts: { pass: number[]; redact: number[]; block: number[] };
  /** Mean judge score per prompt version (side by side during a canary); null in a minute without scores. */
  quality: { prompt: string; version: string; mean: (number | null)[]; n: number }[];
  /** Requests per tenant; only with `access: all`. */
  tenants?: { tenant: string; requests: number[] }[];
  alerts: { open: Alert[]; resolved: Alert[] };
}

function parseTime(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) {
    throw new BallastError(ERROR_CODES.invalidRequest, `${name} must be epoch milliseconds or an ISO date-time, got "${raw.slice(0, 40)}"`, { status: 400 });
  }
  return ms;
}

/** The asked range, checked: `to` after `from`, at most `MAX_RANGE_MS` long; default the last hour. */
export function parseRange(query: { from?: string; to?: string }, now: number): { from: number; to: number } {
  const to = parseTime('to', query.to, now);
  const from = parseTime('from', query.from, to - DEFAULT_RANGE_MS);
  if (from >= to) throw new BallastError(ERROR_CODES.invalidRequest, 'from must be before to', { status: 400 });
  if (to - from > MAX_RANGE_MS) throw new BallastError(ERROR_CODES.invalidRequest, `the range may be at most ${MAX_RANGE_MS / 3_600_000} hours: narrow from/to`, { status: 400 });
  return { from, to };
}

const at = (h: Histogram | null, p: number): number | null => (h && h.totalCount > 0 ? h.getValueAtPercentile(p) : null);

/** Without the metrics token an operator sees alerts but not which tenant they are about. */
function redact(alert: Alert, access: DashboardSeries['access']): Alert {
  if (access === 'all' || alert.labels.tenant === undefined) return alert;
  const { tenant: _tenant, ...labels } = alert.labels;
  return { ...alert, labels, message: alert.message.replace(/tenant=\S+\s?/g, '') };
}

/** Builds the dashboard's per-minute series from the history and the alert engine. */
export async function dashboardSeries(history: MetricsHistory, alerts: AlertEngine, range: { from: number; to: number }, access: DashboardSeries['access']): Promise<DashboardSeries> {
  const first = MetricsHistory.minuteOf(range.from);
  const minutes: number[] = [];
  for (let m = first; m < range.to; m += MINUTE_MS) minutes.push(m);
  const [all] = history.groups({ by: [] }, first, range.to);
  const bucketAt = (m: number): MinuteBucket => all?.minutes.get(m) ?? emptyBucket();
  const series = <T>(pick: (b: MinuteBucket) => T): T[] => minutes.map((m) => pick(bucketAt(m)));

  const quality = history
    .groups({ by: ['prompt', 'version'], where: (l) => l.prompt !== '-', histograms: false }, first, range.to)
    .map((g) => {
      const mean = minutes.map((m) => {
        const q = g.minutes.get(m)?.quality;
        return q && q.n > 0 ? q.sum / q.n : null;
      });
      const n = [...g.minutes.values()].reduce((sum, b) => sum + b.quality.n, 0);
      return { prompt: g.labels.prompt!, version: g.labels.version!, mean, n };
    })
    .filter((q) => q.n > 0)
    .sort((a, b) => a.prompt.localeCompare(b.prompt) || Number(a.version) - Number(b.version));

  const out: DashboardSeries = {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    access,
    minutes: minutes.map((m) => m / 1000),
    traffic: { completed: series((b) => b.requests.completed), blocked: series((b) => b.requests.blocked), failed: series((b) => b.requests.failed) },
    tokens: { input: series((b) => b.tokens.input), output: series((b) => b.tokens.output) },
    costUsd: series((b) => b.costUsd),
    latencyMs: { p50: series((b) => at(b.latencyMs, 50)), p95: series((b) => at(b.latencyMs, 95)), p99: series((b) => at(b.latencyMs, 99)) },
    ttftMs: { p50: series((b) => at(b.ttftMs, 50)), p95: series((b) => at(b.ttftMs, 95)), p99: series((b) => at(b.ttftMs, 99)) },
    cacheHitRate: series((b) => (b.cache.lookups > 0 ? b.cache.hits / b.cache.lookups : null)),
    verdicts: { pass: series((b) => b.verdicts.pass), redact: series((b) => b.verdicts.redact), block: series((b) => b.verdicts.block) },
    quality,
    // The alert state every replica shares (when it is stored), not only what this process fired.
    alerts: { open: (await alerts.open()).map((a) => redact(a, access)), resolved: (await alerts.recentlyResolved()).map((a) => redact(a, access)) },
  };
  if (access === 'all') {
    out.tenants = history.groups({ by: ['tenant'], histograms: false }, first, range.to).map((g) => ({
      tenant: g.labels.tenant!,
      requests: minutes.map((m) => {
        const b = g.minutes.get(m);
        return b ? b.requests.completed + b.requests.blocked + b.requests.failed : 0;
      }),
    }));
  }
  return out;
}
