import { TOPICS, type TopicName } from '#contracts';

/**
 * The shared consumer groups (one per service; its group id is the service name) and the topics each
 * consumes: what KEDA scales on (deploy/helm/ballast) and the metrics service reports as
 * `ballast_consumer_lag`. Per-replica groups (ingress's outcome and registry listeners) are left
 * out: they come and go with replicas. test/consumer-groups.spec.ts checks it against the controllers.
 */
export const CONSUMER_GROUPS: Readonly<Record<string, readonly TopicName[]>> = {
  ingress: [TOPICS.requests],
  /** Tenant usage windows for token limits and budgets (services/ingress/src/limits/usage.recorder.ts). */
  'ingress-usage': [TOPICS.usage],
  guardrail: [TOPICS.guardInput, TOPICS.guardOutput, TOPICS.modelChunks],
  cache: [TOPICS.cacheLookup, TOPICS.responses, TOPICS.cacheAdmin],
  inference: [TOPICS.inference],
  judge: [TOPICS.responses],
  metrics: [TOPICS.responses, TOPICS.usage, TOPICS.qualityScores],
  'metrics-dlq': [TOPICS.dlq],
};
