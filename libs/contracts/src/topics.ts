/** The topic catalogue. A breaking change to a message makes a `.v2` topic beside the `.v1`. */
export const TOPICS = {
  requests: 'ballast.requests.v1',
  guardInput: 'ballast.guard-input.v1',
  cacheLookup: 'ballast.cache-lookup.v1',
  inference: 'ballast.inference.v1',
  guardOutput: 'ballast.guard-output.v1',
  responses: 'ballast.responses.v1',
  qualityScores: 'ballast.quality-scores.v1',
  usage: 'ballast.usage.v1',
  alerts: 'ballast.alerts.v1',
  registry: 'ballast.registry.v1',
  cacheAdmin: 'ballast.cache-admin.v1',
  modelChunks: 'ballast.model-chunks.v1',
  chunks: 'ballast.chunks.v1',
  streamCancels: 'ballast.stream-cancels.v1',
  dlq: 'ballast.dlq.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

/** Kafka header names. Values are always UTF-8 strings. */
export const HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  type: 'ballast-type',
  tenant: 'ballast-tenant',
  errorClass: 'ballast-error-class',
  errorReason: 'ballast-error-reason',
  failedStage: 'ballast-failed-stage',
  originalTopic: 'ballast-original-topic',
  originalPartition: 'ballast-original-partition',
  originalOffset: 'ballast-original-offset',
} as const;
