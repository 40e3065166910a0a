import { counter, enableDefaultMetrics, gauge, histogram, prometheusName, renderMetrics, resetAllMetrics } from './index.js';

describe('metrics registry', () => {
  afterEach(() => resetAllMetrics());

  it('renders counters and histograms with their labels in Prometheus text format', async () => {
    const tokens = counter({ name: 'ballast_tokens_total', help: 'Tokens used', labelNames: ['tenant', 'prompt', 'type'] });
    tokens.inc({ tenant: 'acme', prompt: 'summarise', type: 'input' }, 120);
    const latency = histogram({ name: 'ballast_stage_duration_seconds', help: 'Stage latency', labelNames: ['stage'], buckets: [0.1, 1] });
    latency.observe({ stage: 'inference' }, 0.4);

    const { contentType, body } = await renderMetrics();

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE ballast_tokens_total counter');
    expect(body).toContain('ballast_tokens_total{tenant="acme",prompt="summarise",type="input"} 120');
    expect(body).toContain('ballast_stage_duration_seconds_bucket{le="1",stage="inference"} 1');
    expect(body).toContain('ballast_stage_duration_seconds_bucket{le="0.1",stage="inference"} 0');
  });

  it('returns the same metric when two services define it (embedded mode)', async () => {
    const fromCache = counter({ name: 'ballast_cache_lookups_total', help: 'Lookups', labelNames: ['outcome'] });
    const fromMetrics = counter({ name: 'ballast_cache_lookups_total', help: 'Lookups', labelNames: ['outcome'] });
    fromCache.inc({ outcome: 'hit' });
    fromMetrics.inc({ outcome: 'hit' });

    expect(fromMetrics).toBe(fromCache);
    expect((await renderMetrics()).body).toContain('ballast_cache_lookups_total{outcome="hit"} 2');
  });

  it('refuses to redefine a metric with another type or label set', () => {
    counter({ name: 'ballast_verdicts_total', help: 'Verdicts', labelNames: ['verdict'] });
    expect(() => counter({ name: 'ballast_verdicts_total', help: 'Verdicts', labelNames: ['verdict', 'tenant'] })).toThrow(
      /ballast_verdicts_total is already defined/,
    );
    expect(() => gauge({ name: 'ballast_verdicts_total', help: 'Verdicts', labelNames: ['verdict'] })).toThrow(/Counter/);
  });

  it('adds process metrics once, however often it is asked', async () => {
    enableDefaultMetrics();
    enableDefaultMetrics();
    expect((await renderMetrics()).body).toContain('process_cpu_user_seconds_total');
  });

  it('spells OTel metric names the Prometheus way', () => {
    expect(prometheusName('gen_ai.client.token.usage')).toBe('gen_ai_client_token_usage');
  });
});
