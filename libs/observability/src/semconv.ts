import type { Attributes } from '@opentelemetry/api';

// Names are written out rather than imported: the GenAI names left @opentelemetry/semantic-conventions
// for the semantic-conventions-genai repository, and these strings are what dashboards key on.

/** The GenAI semantic-conventions release the `gen_ai.*` names below follow. */
export const GEN_AI_SEMCONV_VERSION = '1.41.0';

// --- general ---
export const ATTR_ERROR_TYPE = 'error.type';

// --- messaging (Kafka) ---
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
export const MESSAGING_SYSTEM_KAFKA = 'kafka';
export const MESSAGING_OPERATION_SEND = 'send';
export const MESSAGING_OPERATION_PROCESS = 'process';

// --- GenAI ---
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Seconds from request start to the first streamed chunk. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_GEN_AI_PROMPT_VERSION = 'gen_ai.prompt.version';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/** Content attributes: set only through `captureContent` (opt-in). */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_OPERATION_CHAT = 'chat';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';

export const GEN_AI_METRIC_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const GEN_AI_METRIC_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const GEN_AI_METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

export const GEN_AI_EVENT_EVALUATION_RESULT = 'gen_ai.evaluation.result';
export const ATTR_GEN_AI_EVALUATION_NAME = 'gen_ai.evaluation.name';
export const ATTR_GEN_AI_EVALUATION_SCORE_VALUE = 'gen_ai.evaluation.score.value';
export const ATTR_GEN_AI_EVALUATION_SCORE_LABEL = 'gen_ai.evaluation.score.label';
export const ATTR_GEN_AI_EVALUATION_EXPLANATION = 'gen_ai.evaluation.explanation';

// --- Ballast ---
export const ATTR_BALLAST_REQUEST_ID = 'ballast.request_id';
export const ATTR_BALLAST_TENANT_ID = 'ballast.tenant_id';
export const ATTR_BALLAST_STAGE = 'ballast.stage';

/** `send <topic>`: the PRODUCER span name. */
export function sendSpanName(topic: string): string {
  return `${MESSAGING_OPERATION_SEND} ${topic}`;
}

/** `process <topic>`: the CONSUMER span name. */
export function processSpanName(topic: string): string {
  return `${MESSAGING_OPERATION_PROCESS} ${topic}`;
}

/** `chat <model>`: the GenAI client span name. */
export function chatSpanName(model: string): string {
  return `${GEN_AI_OPERATION_CHAT} ${model}`;
}

export interface KafkaSpanFields {
  topic: string;
  /** Message key; in Ballast always the request id, so safe to record. */
  key?: string;
  partition?: number;
  offset?: string | number;
  consumerGroup?: string;
  messageId?: string;
}

/** Attributes for a `send` span. */
export function kafkaSendAttributes(fields: KafkaSpanFields): Attributes {
  return kafkaAttributes(MESSAGING_OPERATION_SEND, fields);
}

/** Attributes for a `process` span. */
export function kafkaProcessAttributes(fields: KafkaSpanFields): Attributes {
  return kafkaAttributes(MESSAGING_OPERATION_PROCESS, fields);
}

function kafkaAttributes(operation: string, fields: KafkaSpanFields): Attributes {
  return defined({
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: operation,
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    [ATTR_MESSAGING_DESTINATION_NAME]: fields.topic,
    [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: fields.key,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: fields.partition === undefined ? undefined : String(fields.partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: fields.offset === undefined ? undefined : Number(fields.offset),
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: fields.consumerGroup,
    [ATTR_MESSAGING_MESSAGE_ID]: fields.messageId,
  });
}

export interface GenAiSpanFields {
  operation?: string;
  provider: string;
  requestModel: string;
  responseModel?: string;
  promptName?: string;
  promptVersion?: string | number;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons?: string[];
  /** Seconds. */
  timeToFirstChunk?: number;
}

/** Attributes for a `chat <model>` span; undefined fields are left out. */
export function genAiAttributes(fields: GenAiSpanFields): Attributes {
  return defined({
    [ATTR_GEN_AI_OPERATION_NAME]: fields.operation ?? GEN_AI_OPERATION_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: fields.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: fields.requestModel,
    [ATTR_GEN_AI_RESPONSE_MODEL]: fields.responseModel,
    [ATTR_GEN_AI_PROMPT_NAME]: fields.promptName,
    [ATTR_GEN_AI_PROMPT_VERSION]: fields.promptVersion === undefined ? undefined : String(fields.promptVersion),
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: fields.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: fields.outputTokens,
    [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: fields.finishReasons,
    [ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]: fields.timeToFirstChunk,
  });
}

/** Request id, tenant and stage attributes every Ballast span carries. */
export function ballastAttributes(fields: { requestId?: string; tenantId?: string; stage?: string }): Attributes {
  return defined({
    [ATTR_BALLAST_REQUEST_ID]: fields.requestId,
    [ATTR_BALLAST_TENANT_ID]: fields.tenantId,
    [ATTR_BALLAST_STAGE]: fields.stage,
  });
}

/** Prometheus spelling of an OTel metric name: `gen_ai.client.token.usage` → `gen_ai_client_token_usage`. */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function defined(attributes: Record<string, Attributes[string]>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}
