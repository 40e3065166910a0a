import type { Alert } from '#contracts';
import { InMemoryAlertStateRepository, type AlertStateRepository, type StoredAlert } from '#persistence';
import { MINUTE_MS, MetricsHistory, emptyBucket, tokenCount, type GroupQuery, type MinuteBucket } from '../history/metrics-history.js';
import {
  detectCountGrowth,
  detectDrift,
  detectQualityDrop,
  detectRateCollapse,
  detectRateJump,
  detectSpike,
  type Finding,
} from './detectors.js';

/** Where alerts go: the bus, a webhook, a test. A sink that fails is logged and skipped, never retried in a loop. */
export interface AlertSink {
  readonly name: string;
  deliver(alert: Alert): Promise<void>;
}

export interface AlertClock {
  now(): number;
}

export interface AlertEngineOptions {
  history: MetricsHistory;
  clock: AlertClock;
  sinks: readonly AlertSink[];
  onSinkError?: (sink: string, error: unknown) => void;
  /**
   * Which alerts are open. Shared (Postgres, PGlite) when the history is: every replica and every
   * restart then see one state, and a transition is published only by the engine whose claim on it
   * succeeded. Default: this process's memory.
   */
  state?: AlertStateRepository;
  /** How long resolved alerts are kept for the dashboard before `sweep()` deletes them (default 24 h). */
  resolvedRetentionMs?: number;
}

/** Window lengths in minutes: recent, and the baseline right before it. */
const WINDOWS = {
  spike: { recent: 3, baseline: 60 },
  drift: { recent: 5, baseline: 180 },
  rate: { recent: 5, baseline: 180 },
  quality: { recent: 15, baseline: 300 },
  dlq: { recent: 5, baseline: 60 },
} as const;

type Kind = Alert['kind'];
interface Candidate {
  kind: Kind;
  labels: Record<string, string>;
  finding: Finding;
  message: string;
}

/** Resolved alerts the dashboard lists. */
const RESOLVED_SHOWN = 50;

/** A stored alert as the record published and shown; a resolved one's message says so. */
function toAlert(a: StoredAlert): Alert {
  return {
    kind: a.kind as Kind,
    severity: a.severity as Alert['severity'],
    labels: a.labels,
    message: a.resolvedAt ? `resolved: ${a.message}` : a.message,
    value: a.value,
    baseline: a.baseline,
    threshold: a.threshold,
    firedAt: a.firedAt.toISOString(),
    state: a.resolvedAt ? 'resolved' : 'firing',
    key: a.key,
    resolvedAt: a.resolvedAt ? a.resolvedAt.toISOString() : null,
  };
}

const CRITICAL: ReadonlySet<Kind> = new Set(['quality_drop', 'dlq_growth', 'cache_hit_rate_collapse']);
const round = (n: number): number => Math.round(n * 1000) / 1000;
const clean = (labels: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => e[1] !== undefined));
const where = (labels: Record<string, string>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(' ');

/** The stable identity of an alert while it fires: its kind and labels. */
export function alertKey(kind: string, labels: Record<string, string>): string {
  return `${kind}{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
}

/**
 * Runs every detector over the per-minute history and turns their findings into alerts: `firing`
 * once when a condition starts (deduplicated while it lasts, across replicas and restarts when the
 * state is shared), `resolved` once when it clears. Called on a timer (`AlertScheduler`), never on
 * the request path.
 */
export class AlertEngine {
  private readonly state: AlertStateRepository;

  constructor(private readonly options: AlertEngineOptions) {
    this.state = options.state ?? new InMemoryAlertStateRepository(RESOLVED_SHOWN);
  }

  /** Alerts firing now (in every replica, when the state is shared), oldest first; `value` is the latest one seen. */
  async open(): Promise<Alert[]> {
    return (await this.state.listOpen()).map((a) => toAlert({ ...a, value: a.lastValue }));
  }

  /** The most recently resolved alerts, newest first (at most 50). */
  async recentlyResolved(): Promise<Alert[]> {
    return (await this.state.listResolved(RESOLVED_SHOWN)).map(toAlert);
  }

  /** Deletes resolved alerts past their retention; returns how many. */
  async sweep(): Promise<number> {
    return this.state.deleteResolvedBefore(new Date(this.options.clock.now() - (this.options.resolvedRetentionMs ?? 24 * 3_600_000)));
  }

  /**
   * Evaluates every detector at the clock's time; returns the alerts that fired or resolved here.
   * A condition that starts is claimed in the state (only the first claim on its key wins, so
   * replicas evaluating the same history publish it once); one that holds updates the open alert's
   * latest value; an open alert whose condition no longer holds is claimed resolved, once.
   */
  async evaluate(): Promise<Alert[]> {
    const now = this.options.clock.now();
    const found = new Map<string, Candidate>();
    for (const candidate of this.detect(now)) found.set(alertKey(candidate.kind, candidate.labels), candidate);

    const at = new Date(now);
    const open = new Set((await this.state.listOpen()).map((a) => a.key));
    const changes: Alert[] = [];
    for (const [key, c] of found) {
      const value = round(c.finding.value);
      if (open.has(key)) {
        await this.state.observe(key, value, at);
        continue;
      }
      const alert = {
        key,
        kind: c.kind,
        severity: CRITICAL.has(c.kind) ? 'critical' : 'warning',
        labels: c.labels,
        message: c.message,
        value,
        baseline: c.finding.baseline === null ? null : round(c.finding.baseline),
        threshold: round(c.finding.threshold),
        firedAt: at,
      } as const;
      if (await this.state.claimFiring(alert)) changes.push(toAlert({ ...alert, lastValue: value, lastSeenAt: at, resolvedAt: null }));
    }
    for (const key of open) {
      if (found.has(key)) continue;
      const done = await this.state.claimResolve(key, at);
      if (done) changes.push(toAlert(done));
    }
    for (const alert of changes) await this.deliver(alert);
    return changes;
  }

  private async deliver(alert: Alert): Promise<void> {
    await Promise.all(
      this.options.sinks.map(async (sink) => {
        try {
          await sink.deliver(alert);
        } catch (error) {
          this.options.onSinkError?.(sink.name, error);
        }
      }),
    );
  }

  private *detect(now: number): Iterable<Candidate> {
    const h = this.options.history;
    const current = MetricsHistory.minuteOf(now);
    // Recent windows: complete minutes for sums (a partial minute would look like a dip), the
    // current one too for distributions and rates (a partial minute is a fair sample).
    const span = (w: { recent: number; baseline: number }, includeCurrent: boolean) => {
      const recentTo = includeCurrent ? current + MINUTE_MS : current;
      const recentFrom = recentTo - w.recent * MINUTE_MS;
      return { recentFrom, recentTo, baselineFrom: recentFrom - w.baseline * MINUTE_MS };
    };
    // Baselines end where the recent window starts, so they hold complete minutes and can slide.
    const compare = (name: string, query: GroupQuery, w: { recent: number; baseline: number }) => {
      const s = span(w, true);
      const base = h.window(query, s.baselineFrom, s.recentFrom, name);
      const recent = h.window(query, s.recentFrom, s.recentTo);
      return [...recent].map(([key, r]) => ({ labels: clean(r.labels), recent: r.bucket, base: base.get(key)?.bucket ?? emptyBucket() }));
    };

    const s = span(WINDOWS.spike, false);
    const byPrompt: GroupQuery = { by: ['tenant', 'prompt'] };
    for (const [kind, pick, unit] of [
      ['token_spike', tokenCount, 'tokens'],
      ['cost_spike', (b: MinuteBucket) => b.costUsd, 'USD'],
    ] as const) {
      const baseline = h.perMinute(byPrompt, s.baselineFrom, s.recentFrom, pick);
      for (const [key, recent] of h.perMinute(byPrompt, s.recentFrom, s.recentTo, pick)) {
        const labels = clean(recent.labels);
        const f = detectSpike(baseline.get(key)?.values ?? [], recent.values);
        if (f) yield { kind, labels, finding: f, message: `${unit} per minute ${round(f.value)} vs usual ${round(f.baseline!)} (${where(labels)})` };
      }
    }

    for (const { labels, recent, base } of compare('drift', byPrompt, WINDOWS.drift)) {
      const lat = detectDrift(base.latencyMs, recent.latencyMs);
      if (lat) yield { kind: 'latency_drift', labels, finding: lat, message: `p95 latency ${lat.value} ms vs ${lat.baseline} ms (${where(labels)})` };
      const ttft = detectDrift(base.ttftMs, recent.ttftMs);
      if (ttft) yield { kind: 'ttft_drift', labels, finding: ttft, message: `p95 time to first token ${ttft.value} ms vs ${ttft.baseline} ms (${where(labels)})` };
      const hits = detectRateCollapse({ hits: base.cache.hits, total: base.cache.lookups }, { hits: recent.cache.hits, total: recent.cache.lookups });
      if (hits) yield { kind: 'cache_hit_rate_collapse', labels, finding: hits, message: `cache hit rate ${pct(hits.value)} vs ${pct(hits.baseline!)} (${where(labels)})` };
    }

    for (const { labels, recent, base } of compare('rate', { by: ['tenant'], histograms: false }, WINDOWS.rate)) {
      const f = detectRateJump(blockRate(base), blockRate(recent));
      if (f) yield { kind: 'block_rate_jump', labels, finding: f, message: `guardrail block rate ${pct(f.value)} vs ${pct(f.baseline!)} (${where(labels)})` };
    }

    for (const { labels, recent, base } of compare('quality', { by: ['prompt', 'version'], where: (l) => l.prompt !== '-', histograms: false }, WINDOWS.quality)) {
      const f = detectQualityDrop(base.quality, recent.quality);
      if (f) yield { kind: 'quality_drop', labels, finding: f, message: `mean quality ${round(f.value)} below ${round(f.threshold)} (${where(labels)})` };
    }

    const l = span(WINDOWS.dlq, true);
    const dlq = detectCountGrowth(h.deadLettersPerMinute(l.baselineFrom, l.recentFrom), h.deadLettersPerMinute(l.recentFrom, l.recentTo));
    if (dlq) yield { kind: 'dlq_growth', labels: {}, finding: dlq, message: `${dlq.value} dead letters in ${WINDOWS.dlq.recent} minutes vs ${round(dlq.baseline!)} expected` };
  }
}

const pct = (v: number): string => `${Math.round(v * 1000) / 10}%`;
const blockRate = (b: MinuteBucket) => ({ hits: b.requests.blocked, total: b.requests.completed + b.requests.blocked + b.requests.failed });
