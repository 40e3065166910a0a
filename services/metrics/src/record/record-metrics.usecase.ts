import { Inject, Injectable } from '@nestjs/common';
import type { LlmResponse, QualityScore, UsageEvent } from '#contracts';
import { labelDomain } from '#observability';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';
import { pipelineMetrics as m } from './pipeline.metrics.js';

function labels(tenant: string, prompt: string | null | undefined, version: number | null | undefined, model: string | null | undefined) {
  return { tenant, prompt: prompt ?? '-', version: version == null ? '-' : String(version), model: model ?? '-' };
}

/** The history keeps the same bounded label values as the Prometheus series (unknown values become `other`). */
function bounded(l: ReturnType<typeof labels>) {
  return {
    tenant: labelDomain('tenant').bound(l.tenant),
    prompt: labelDomain('prompt').bound(l.prompt),
    version: l.version,
    model: labelDomain('model').bound(l.model),
  };
}

/**
 * Turns outcome, usage and quality events into Prometheus series per tenant, prompt, version and
 * model. Only values from a trusted origin become label values: a prompt the registry resolved, a
 * model a provider answered with; a rejected request is counted by its error code, never by what
 * the client sent (the metric's label bounds turn anything unknown into `other`).
 */
@Injectable()
export class RecordMetricsUseCase {
  constructor(@Inject(METRICS_DEPS) private readonly deps: MetricsDeps) {}

  response(r: LlmResponse): void {
    labelDomain('tenant').learn(r.tenantId);
    if (r.prompt) labelDomain('prompt').learn(r.prompt.name);
    // A completed answer's model is the one a provider (or the cache of its answers) produced.
    if (r.status === 'completed' && r.source !== 'fallback') labelDomain('model').learn(r.model);
    const l = labels(r.tenantId, r.prompt?.name, r.prompt?.version, r.model);
    m.requests.inc({ ...l, status: r.status, source: r.source ?? '-', code: r.status === 'completed' ? '-' : (r.error?.code ?? '-') });
    m.latency.observe({ ...l, status: r.status }, r.timings.totalMs / 1000);
    if (r.cache) m.cache.inc({ ...l, outcome: r.cache });
    for (const v of r.verdicts) {
      m.verdicts.inc({ tenant: l.tenant, prompt: l.prompt, version: l.version, phase: v.phase, decision: v.decision, detector: v.detector });
    }
    const now = this.deps.clock.now();
    const series = bounded(l);
    const minute = this.deps.history.bucket(now, series);
    minute.requests[r.status]++;
    if (r.cache && r.cache !== 'bypass') {
      minute.cache.lookups++;
      if (r.cache === 'hit-exact' || r.cache === 'hit-semantic') minute.cache.hits++;
    }
    for (const v of r.verdicts) minute.verdicts[v.decision]++;
    this.deps.history.recordLatency(now, series, r.timings.totalMs);
  }

  usage(u: UsageEvent): void {
    labelDomain('tenant').learn(u.tenantId);
    labelDomain('prompt').learn(u.promptName);
    if (u.status === 'ok') labelDomain('model').learn(u.model);
    const l = labels(u.tenantId, u.promptName, u.promptVersion, u.model);
    m.tokens.inc({ ...l, kind: u.kind, direction: 'input' }, u.inputTokens);
    m.tokens.inc({ ...l, kind: u.kind, direction: 'output' }, u.outputTokens);
    if (u.costUsd === null) {
      if (u.kind === 'inference' && u.status === 'ok') m.unpriced.inc(l);
    } else {
      m.cost.inc({ ...l, kind: u.kind }, u.costUsd);
    }
    if (u.kind === 'inference') {
      m.callLatency.observe({ ...l, kind: u.kind, status: u.status }, u.latencyMs / 1000);
      if (u.ttftMs !== null) m.ttft.observe(l, u.ttftMs / 1000);
    }
    const now = this.deps.clock.now();
    const series = bounded(l);
    const minute = this.deps.history.bucket(now, series);
    minute.tokens.input += u.inputTokens;
    minute.tokens.output += u.outputTokens;
    minute.costUsd += u.costUsd ?? 0;
    if (u.kind === 'inference' && u.ttftMs !== null) this.deps.history.recordTtft(now, series, u.ttftMs);
  }

  quality(q: QualityScore): void {
    const l = labels(q.tenantId, q.promptName, q.promptVersion, q.model);
    m.quality.observe(l, q.score);
    const minute = this.deps.history.bucket(this.deps.clock.now(), bounded(l)).quality;
    minute.n++;
    minute.sum += q.score;
    minute.sumSq += q.score * q.score;
  }
}
