import {
  configureLabelLimits,
  configureMetrics,
  counter,
  labelDomain,
  metricsAccess,
  OTHER_LABEL,
  renderMetrics,
  resetAllMetrics,
  seriesCount,
} from './index.js';

const lines = async () => (await renderMetrics()).body.split('\n').length;

describe('hardening 2: /metrics labels come only from bounded sets', () => {
  let now = 1_000_000;
  beforeEach(() => configureLabelLimits({ now: () => now }));
  afterEach(() => {
    resetAllMetrics();
    configureMetrics({});
  });

  it('records a model nobody configured or answered with as "other", and a known one as itself', async () => {
    const calls = counter({ name: 'test_bounded_calls_total', help: 'Calls', labelNames: ['model', 'status'], labelBounds: { model: 'model' } });
    labelDomain('model').learn('sim-1');
    calls.inc({ model: 'sim-1', status: 'ok' });
    calls.inc({ model: 'made-up-model', status: 'failed' });

    const { body } = await renderMetrics();
    expect(body).toContain('test_bounded_calls_total{model="sim-1",status="ok"} 1');
    expect(body).toContain(`test_bounded_calls_total{model="${OTHER_LABEL}",status="failed"} 1`);
    expect(body).not.toContain('made-up-model');
  });

  it('adds no series for 2,000 distinct client-chosen model names, and never shows an SSN', async () => {
    const calls = counter({ name: 'test_rejected_total', help: 'Rejected', labelNames: ['model', 'code'], labelBounds: { model: 'model', code: ['ballast.forbidden'] } });
    calls.inc({ model: 'warm-up', code: 'ballast.forbidden' });
    const before = await lines();
    for (let i = 0; i < 2_000; i++) calls.inc({ model: `bogus-${i}`, code: 'ballast.forbidden' });
    calls.inc({ model: 'sim-123-45-6789', code: 'ballast.forbidden' });

    const { body } = await renderMetrics();
    expect(body.split('\n')).toHaveLength(before);
    expect(body).not.toMatch(/bogus-\d|123-45-6789/);
    expect(body).toContain('test_rejected_total{model="other",code="ballast.forbidden"} 2002');
  });

  it('turns values that are not plain identifiers into "other", whatever the label', async () => {
    const c = counter({ name: 'test_shape_total', help: 'Shape', labelNames: ['detector'] });
    c.inc({ detector: 'my ssn is 123-45-6789' });
    c.inc({ detector: 'quote"},x="y' });
    expect((await renderMetrics()).body).toContain('test_shape_total{detector="other"} 2');
  });

  it('caps the label sets of one metric and records the overflow under "other"', async () => {
    configureLabelLimits({ maxSeriesPerMetric: 3 });
    const c = counter({ name: 'test_capped_total', help: 'Capped', labelNames: ['stage'] });
    for (const stage of ['a', 'b', 'c', 'd', 'e']) c.inc({ stage });
    const { body } = await renderMetrics();
    expect(body).toContain('test_capped_total{stage="c"} 1');
    expect(body).not.toContain('stage="d"');
    expect(body).toContain('test_capped_total{stage="other"} 2');
  });

  it('removes a label set not updated for the series TTL at the next scrape', async () => {
    configureMetrics({ BALLAST_METRICS_SERIES_TTL_MS: 60_000 });
    labelDomain('tenant').learn('deleted-tenant', 'live-tenant');
    const c = counter({ name: 'test_expiring_total', help: 'Expiring', labelNames: ['tenant'], labelBounds: { tenant: 'tenant' } });
    c.inc({ tenant: 'deleted-tenant' });
    c.inc({ tenant: 'live-tenant' });
    now += 45_000;
    c.inc({ tenant: 'live-tenant' });
    expect((await renderMetrics()).body).toContain('tenant="deleted-tenant"');

    now += 30_000;
    const { body } = await renderMetrics();
    expect(body).not.toContain('deleted-tenant');
    expect(body).toContain('test_expiring_total{tenant="live-tenant"} 2');
    expect(seriesCount('test_expiring_total')).toBe(1);
    // The domain forgot it too: the tenant would have to be learned again.
    expect(labelDomain('tenant').has('deleted-tenant')).toBe(false);
  });

  it('counts a label set that expired and is observed again as a new series', async () => {
    configureMetrics({ BALLAST_METRICS_SERIES_TTL_MS: 60_000 });
    const c = counter({ name: 'test_returning_total', help: 'Returning', labelNames: ['stage'] });
    c.inc({ stage: 'a' });
    c.inc({ stage: 'a' });
    now += 61_000;
    expect((await renderMetrics()).body).not.toContain('stage="a"');
    expect(seriesCount('test_returning_total')).toBe(0);
    c.inc({ stage: 'a' });
    expect(seriesCount('test_returning_total')).toBe(1);
    expect((await renderMetrics()).body).toContain('test_returning_total{stage="a"} 1');
  });

  it('keeps a label set first seen past the cap under "other" however often it comes, and one admitted before as itself', async () => {
    configureLabelLimits({ maxSeriesPerMetric: 3 });
    const c = counter({ name: 'test_repeat_capped_total', help: 'Repeat capped', labelNames: ['stage'] });
    for (const stage of ['a', 'b', 'c', 'd', 'd', 'd', 'a', 'a']) c.inc({ stage });
    const { body } = await renderMetrics();
    expect(body).toContain('test_repeat_capped_total{stage="a"} 3');
    expect(body).toContain('test_repeat_capped_total{stage="other"} 3');
    expect(body).not.toContain('stage="d"');
    expect(seriesCount('test_repeat_capped_total')).toBe(4);
  });

  it('records a number and its string as one series', async () => {
    const c = counter({ name: 'test_version_total', help: 'Version', labelNames: ['version'] });
    c.inc({ version: 1 });
    c.inc({ version: '1' });
    c.inc({ version: 1 });
    expect((await renderMetrics()).body).toContain('test_version_total{version="1"} 3');
    expect(seriesCount('test_version_total')).toBe(1);
  });

  it('leaves per-tenant series out of scrapes that may not see them', async () => {
    labelDomain('tenant').learn('acme');
    counter({ name: 'test_per_tenant_total', help: 'Per tenant', labelNames: ['tenant'], labelBounds: { tenant: 'tenant' } }).inc({ tenant: 'acme' });
    counter({ name: 'test_aggregate_total', help: 'Aggregate', labelNames: ['stage'] }).inc({ stage: 'ingress' });
    const hidden = (await renderMetrics({ perTenant: false })).body;
    expect(hidden).not.toContain('acme');
    expect(hidden).toContain('test_aggregate_total{stage="ingress"} 1');
    expect((await renderMetrics({ perTenant: true })).body).toContain('test_per_tenant_total{tenant="acme"} 1');
  });

  it('asks for the token only when one is configured, and compares it exactly', () => {
    expect(metricsAccess(undefined)).toBe('without-tenants');
    configureMetrics({ BALLAST_METRICS_TOKEN: 'scrape-token-0123456789' });
    expect(metricsAccess(undefined)).toBe('refused');
    expect(metricsAccess('Bearer scrape-token-012345678')).toBe('refused');
    expect(metricsAccess('Bearer scrape-token-0123456789')).toBe('all');
  });
});
