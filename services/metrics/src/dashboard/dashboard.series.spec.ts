import { BallastError } from '#contracts';
import { AlertEngine } from '../alerts/alert.engine.js';
import { MINUTE_MS, MetricsHistory } from '../history/metrics-history.js';
import { dashboardSeries, parseRange } from './dashboard.series.js';

const T0 = Date.parse('2026-12-05T10:00:00.000Z');

describe('parseRange', () => {
  it('defaults to the last hour and reads epoch ms or ISO times', () => {
    expect(parseRange({}, T0)).toEqual({ from: T0 - 3_600_000, to: T0 });
    expect(parseRange({ from: String(T0 - MINUTE_MS), to: '2026-12-05T10:00:00Z' }, 0)).toEqual({ from: T0 - MINUTE_MS, to: T0 });
  });

  it.each([
    [{ from: 'yesterday' }, 'from must be epoch milliseconds or an ISO date-time'],
    [{ from: String(T0), to: String(T0 - 1) }, 'from must be before to'],
    [{ from: String(T0 - 25 * 3_600_000), to: String(T0) }, 'at most 24 hours'],
  ])('refuses %j with ballast.invalid_request', (query, message) => {
    expect(() => parseRange(query, T0)).toThrow(message);
    try {
      parseRange(query, T0);
    } catch (error) {
      expect((error as BallastError).code).toBe('ballast.invalid_request');
    }
  });
});

describe('dashboardSeries', () => {
  const history = new MetricsHistory();
  const a = { tenant: 'acme', prompt: 'support-answer', version: '1', model: 'sim-1' };
  history.bucket(T0, a).requests.completed = 3;
  history.bucket(T0, { ...a, tenant: 'globex', version: '2' }).requests.blocked = 1;
  history.recordLatency(T0, a, 120);
  const q = history.bucket(T0 + MINUTE_MS, { ...a, version: '2' }).quality;
  Object.assign(q, { n: 2, sum: 1.5, sumSq: 1.25 });
  const engine = new AlertEngine({ history, clock: { now: () => T0 }, sinks: [] });

  it('gives one value per minute for every chart, totals across tenants, quality per prompt version', async () => {
    const s = await dashboardSeries(history, engine, { from: T0, to: T0 + 3 * MINUTE_MS }, 'without-tenants');
    expect(s.minutes).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120]);
    expect(s.traffic).toEqual({ completed: [3, 0, 0], blocked: [1, 0, 0], failed: [0, 0, 0] });
    expect(s.latencyMs.p95[0]).toBeGreaterThanOrEqual(119);
    expect(s.latencyMs.p95[1]).toBeNull();
    expect(s.quality).toEqual([{ prompt: 'support-answer', version: '2', mean: [null, 0.75, null], n: 2 }]);
    expect(s.tenants).toBeUndefined();
  });

  it('adds per-tenant traffic only with full access', async () => {
    const s = await dashboardSeries(history, engine, { from: T0, to: T0 + MINUTE_MS }, 'all');
    expect(s.tenants?.map((t) => [t.tenant, t.requests[0]]).sort()).toEqual([['acme', 3], ['globex', 1]]);
  });
});
