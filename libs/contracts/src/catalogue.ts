import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EnvelopeHeader, envelopeOf, type Envelope } from './envelope.js';
import { CachePurge } from './cache-admin.js';
import { Alert, QualityScore, RegistryEvent, UsageEvent } from './events.js';
import { LlmRequest } from './llm-request.js';
import { LlmResponse } from './llm-response.js';
import { PipelineState } from './pipeline.js';
import { ModelChunk, StreamCancel, StreamChunk } from './stream.js';
import { TOPICS, type TopicName } from './topics.js';

/** What each topic carries: its message type, schema version and payload schema. */
export const MESSAGES = {
  [TOPICS.requests]: { type: 'ballast.request', schemaVersion: 1, payload: LlmRequest },
  [TOPICS.guardInput]: { type: 'ballast.pipeline', schemaVersion: 1, payload: PipelineState },
  [TOPICS.cacheLookup]: { type: 'ballast.pipeline', schemaVersion: 1, payload: PipelineState },
  [TOPICS.inference]: { type: 'ballast.pipeline', schemaVersion: 1, payload: PipelineState },
  [TOPICS.guardOutput]: { type: 'ballast.pipeline', schemaVersion: 1, payload: PipelineState },
  [TOPICS.responses]: { type: 'ballast.response', schemaVersion: 1, payload: LlmResponse },
  [TOPICS.qualityScores]: { type: 'ballast.quality-score', schemaVersion: 1, payload: QualityScore },
  [TOPICS.usage]: { type: 'ballast.usage', schemaVersion: 1, payload: UsageEvent },
  [TOPICS.alerts]: { type: 'ballast.alert', schemaVersion: 1, payload: Alert },
  [TOPICS.registry]: { type: 'ballast.registry', schemaVersion: 1, payload: RegistryEvent },
  [TOPICS.cacheAdmin]: { type: 'ballast.cache-purge', schemaVersion: 1, payload: CachePurge },
  [TOPICS.modelChunks]: { type: 'ballast.model-chunk', schemaVersion: 1, payload: ModelChunk },
  [TOPICS.chunks]: { type: 'ballast.chunk', schemaVersion: 1, payload: StreamChunk },
  [TOPICS.streamCancels]: { type: 'ballast.stream-cancel', schemaVersion: 1, payload: StreamCancel },
} as const satisfies Partial<Record<TopicName, { type: string; schemaVersion: number; payload: z.ZodType }>>;

/** Topics whose messages follow the envelope. The dead-letter topic keeps the original bytes instead. */
export type EnvelopeTopic = keyof typeof MESSAGES;
export type PayloadOf<T extends EnvelopeTopic> = z.infer<(typeof MESSAGES)[T]['payload']>;

export function isEnvelopeTopic(topic: string): topic is EnvelopeTopic {
  return Object.hasOwn(MESSAGES, topic);
}

/** The full envelope schema for one topic. */
export function envelopeSchemaFor<T extends EnvelopeTopic>(topic: T) {
  return envelopeOf(MESSAGES[topic].payload as (typeof MESSAGES)[T]['payload']);
}

export interface EnvelopeContext {
  requestId: string;
  tenantId: string;
  deadline?: string | null;
  attempt?: number;
}

/**
 * Wraps a payload in the envelope for `topic`.
 *
 * @example createEnvelope(TOPICS.usage, usage, { requestId, tenantId })
 */
export function createEnvelope<T extends EnvelopeTopic>(
  topic: T,
  payload: PayloadOf<T>,
  ctx: EnvelopeContext,
  now: Date = new Date(),
): Envelope<PayloadOf<T>> {
  const spec = MESSAGES[topic];
  const header: EnvelopeHeader = {
    id: randomUUID(),
    type: spec.type,
    schemaVersion: spec.schemaVersion,
    requestId: ctx.requestId,
    tenantId: ctx.tenantId,
    createdAt: now.toISOString(),
    deadline: ctx.deadline ?? null,
    attempt: ctx.attempt ?? 0,
  };
  return { ...header, payload };
}
