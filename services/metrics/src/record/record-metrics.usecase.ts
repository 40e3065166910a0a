import { Injectable } from '@nestjs/common';
import type { LlmResponse, QualityScore, UsageEvent } from '#contracts';
import { labelDomain } from '#observability';
import { pipelineMetrics as m } from './pipeline.metrics.js';

function labels(tenant: string, prompt: string | null | undefined, version: number | null | undefined, model: string | null | undefined) {
  return { tenant, prompt: prompt ?? '-', version: version == null ? '-' : String(version), model: model ?? '-' };
}

/**
 * Turns outcome, usage and quality events into Prometheus series per tenant, prompt, version and
 * model. Only values from a trusted origin become label values: a prompt the registry resolved, a
 * model a provider answered with; a rejected request is counted by its error code, never by what
 * the client sent (the metric's label bounds turn anything unknown into `other`).
 */
@Injectable()
export class RecordMetricsUseCase {
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
  }

  quality(q: QualityScore): void {
    m.quality.observe(labels(q.tenantId, q.promptName, q.promptVersion, q.model), q.score);
  }
}
