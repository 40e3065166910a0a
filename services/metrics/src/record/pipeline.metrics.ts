import { ALL_TOPICS, ERROR_CODES } from '#contracts';
import { CONSUMER_GROUPS } from '../lag/consumer-groups.js';
import { counter, gauge, histogram, type LabelBound } from '#observability';

const LABELS = ['tenant', 'prompt', 'version', 'model'] as const;
// Tenants, prompts and models come from bounded, learned sets (see RecordMetricsUseCase); the rest is ours.
const BOUNDS: Partial<Record<string, LabelBound>> = { tenant: 'tenant', prompt: 'prompt', model: 'model', code: Object.values(ERROR_CODES) };
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Every Prometheus series the metrics service maintains, defined once. */
export const pipelineMetrics = {
  requests: counter({ name: 'ballast_requests_total', help: 'Outcomes by status, source and error code', labelNames: [...LABELS, 'status', 'source', 'code'], labelBounds: BOUNDS }),
  latency: histogram({ name: 'ballast_request_duration_seconds', help: 'End-to-end latency of an outcome', labelNames: [...LABELS, 'status'], labelBounds: BOUNDS, buckets: LATENCY_BUCKETS }),
  cache: counter({ name: 'ballast_cache_lookups_total', help: 'Cache look-ups by outcome', labelNames: [...LABELS, 'outcome'], labelBounds: BOUNDS }),
  verdicts: counter({ name: 'ballast_guardrail_verdicts_total', help: 'Guardrail verdicts', labelNames: ['tenant', 'prompt', 'version', 'phase', 'decision', 'detector'], labelBounds: BOUNDS }),
  tokens: counter({ name: 'ballast_tokens_total', help: 'Tokens by kind of call and direction', labelNames: [...LABELS, 'kind', 'direction'], labelBounds: BOUNDS }),
  cost: counter({ name: 'ballast_cost_usd_total', help: 'Cost in US dollars of priced calls', labelNames: [...LABELS, 'kind'], labelBounds: BOUNDS }),
  unpriced: counter({ name: 'ballast_unpriced_calls_total', help: 'Calls to models missing from the price table', labelNames: [...LABELS], labelBounds: BOUNDS }),
  callLatency: histogram({ name: 'ballast_model_call_duration_seconds', help: 'Model call duration', labelNames: [...LABELS, 'kind', 'status'], labelBounds: BOUNDS, buckets: LATENCY_BUCKETS }),
  ttft: histogram({ name: 'ballast_time_to_first_token_seconds', help: 'Time to the first token of a model call', labelNames: [...LABELS], labelBounds: BOUNDS, buckets: LATENCY_BUCKETS }),
  deadLetters: counter({ name: 'ballast_dead_letters_total', help: 'Records dead-lettered to ballast.dlq.v1, by the stage that gave up', labelNames: ['stage'], labelBounds: { stage: ['ingress', 'guardrail', 'cache', 'inference', 'judge', 'metrics'] } }),
  consumerLag: gauge({ name: 'ballast_consumer_lag', help: 'Records a service consumer group has not committed yet, per topic (summed over partitions)', labelNames: ['group', 'topic'], labelBounds: { group: Object.keys(CONSUMER_GROUPS), topic: [...ALL_TOPICS] } }),
  quality: histogram({ name: 'ballast_quality_score', help: 'Judge scores (0..1)', labelNames: [...LABELS], labelBounds: BOUNDS, buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] }),
};
