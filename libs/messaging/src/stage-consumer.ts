import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import {
  AnyEnvelope,
  BallastError,
  ERROR_CODES,
  TOPICS,
  endWith,
  envelopeSchemaFor,
  isEnvelopeTopic,
  type Envelope,
  type PipelineState,
} from '#contracts';
import { deadLetterFor, type DeadLetterReason } from './dead-letter.js';
import { publishOutcome } from './pipeline-step.js';
import { Publisher } from './publisher.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, isTransient, type RetryPolicy } from './retry-policy.js';
import { extractTraceContext } from '#observability';
import type { ConsumerHandle, DeliveryControl, ReceivedRecord, Transport } from './transport.js';

const tracer = trace.getTracer('ballast-messaging');

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  /** Handler attempt within this delivery, starting at 1. */
  attempt: number;
  heartbeat(): Promise<void>;
}

export type EnvelopeHandler = (envelope: Envelope<unknown>, ctx: MessageContext) => Promise<unknown>;

export interface StageConsumerOptions {
  /** The service name: it is the consumer group and the `ballast-failed-stage` of its dead letters. */
  stage: string;
  groupId?: string;
  handlers: ReadonlyMap<string, EnvelopeHandler>;
  concurrency: number;
  retry?: RetryPolicy;
  fromBeginning?: boolean;
  /** Injected for tests; waits between retries. */
  sleep?: (ms: number) => Promise<void>;
}

/** Topics whose payload is a request on its way through the pipeline: a request there that cannot be handled still gets an outcome. */
const PIPELINE_TOPICS: ReadonlySet<string> = new Set([TOPICS.guardInput, TOPICS.cacheLookup, TOPICS.inference, TOPICS.guardOutput]);

const schemaCache = new Map<string, z.ZodType>();
function schemaFor(topic: string): z.ZodType {
  let schema = schemaCache.get(topic);
  if (!schema) schemaCache.set(topic, (schema = isEnvelopeTopic(topic) ? envelopeSchemaFor(topic) : AnyEnvelope));
  return schema;
}

/** Where each issue is and what kind it is; the offending values are left out, they may be personal data. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

type Decoded = { ok: true; envelope: Envelope<unknown> } | { ok: false; why: Omit<DeadLetterReason, 'stage'> };

// Every consumer group of a topic reads the same bytes; on the in-memory bus they are the same Buffer,
// so the decoded envelope is shared instead of parsed once per group. Handlers never mutate envelopes.
const decodedByValue = new WeakMap<Buffer, { topic: string; decoded: Decoded }>();

/**
 * Decodes a record. A record a Publisher in this process sent is used as it is (typed when it was
 * built: no bytes, no parse); with `verify` (`BALLAST_BUS_VERIFY`) it is first checked against what
 * its bytes decode to, so embedded and distributed mode cannot drift apart.
 */
function decode(record: ReceivedRecord, verify: boolean): Decoded {
  if (record.decoded !== undefined) {
    const mismatch = verify ? handOffMismatch(record) : null;
    if (mismatch !== null) return { ok: false, why: { errorClass: ERROR_CODES.schemaInvalid, reason: mismatch } };
    return { ok: true, envelope: record.decoded as Envelope<unknown> };
  }
  const cached = decodedByValue.get(record.value);
  if (cached && cached.topic === record.topic) return cached.decoded;
  const decoded = decodeUncached(record);
  decodedByValue.set(record.value, { topic: record.topic, decoded });
  return decoded;
}

/**
 * Why the hand-off differs from its bytes' decoding, or null: a value JSON cannot carry (a Date,
 * undefined in an array), a field the schema would drop or default, or bytes that would not decode.
 */
function handOffMismatch(record: ReceivedRecord): string | null {
  const fromBytes = decodeUncached(record);
  if (!fromBytes.ok) return `in-process hand-off would not decode from its bytes: ${fromBytes.why.reason}`;
  const difference = jsonDifference(record.decoded, fromBytes.envelope, '');
  return difference === null ? null : `in-process hand-off differs from its bytes' decoding at ${difference || '(root)'}`;
}

/** The first path where `a` (as a consumer would see it) and `b` (decoded from JSON) differ, or null. */
function jsonDifference(a: unknown, b: unknown, path: string): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path} (${kindOf(a)} in process, ${kindOf(b)} from bytes)`;
  }
  // A plain object of any realm (a driver may build it outside a test's VM context), or an array.
  const proto = Object.getPrototypeOf(a) as object | null;
  if (!Array.isArray(a) && proto !== null && Object.getPrototypeOf(proto) !== null) return `${path} (${kindOf(a)} in process, ${kindOf(b)} from bytes)`;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined || Array.isArray(a));
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return `${path}{${[...new Set([...keysA, ...keysB])].filter((k) => !(keysA.includes(k) && keysB.includes(k))).join(',')}}`;
  for (const k of keysA) {
    const d = jsonDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d !== null) return d;
  }
  return null;
}

function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value;
  return Array.isArray(value) ? 'array' : ((Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'object');
}

function decodeUncached(record: ReceivedRecord): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(record.value.toString('utf8'));
  } catch {
    return { ok: false, why: { errorClass: ERROR_CODES.malformedMessage, reason: 'value is not valid JSON' } };
  }
  const parsed = schemaFor(record.topic).safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      why: { errorClass: ERROR_CODES.schemaInvalid, reason: `envelope does not match the ${record.topic} schema: ${describeIssues(parsed.error)}` },
    };
  }
  return { ok: true, envelope: parsed.data as Envelope<unknown> };
}

/**
 * Turns records into handler calls for one stage: decodes and validates the envelope, runs the
 * handler inside a `process <topic>` span, retries transient failures with jittered backoff, and
 * dead-letters what cannot be handled. A request on a pipeline topic that is dead-lettered also
 * gets its outcome, `failed` with the error's code, so the client is answered, never left waiting.
 * It resolves for every record it could account for, so a
 * poison message never blocks its partition; it rejects only when even the dead-letter send fails,
 * and then the transport delivers the record again.
 */
export class StageConsumer {
  private handle?: ConsumerHandle;
  private active = 0;
  private publisher?: Publisher;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly transport: Transport,
    private readonly options: StageConsumerOptions,
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async start(): Promise<void> {
    this.handle = await this.transport.consume({
      groupId: this.options.groupId ?? this.options.stage,
      topics: [...this.options.handlers.keys()],
      concurrency: this.options.concurrency,
      fromBeginning: this.options.fromBeginning ?? true,
      handle: (record, control) => this.process(record, control),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  /** Records being handled right now (a graceful stop waits for them). */
  get inFlight(): number {
    return this.active;
  }

  /** Handles one record end to end. Exposed so a test can drive a single record. */
  async process(record: ReceivedRecord, control: DeliveryControl): Promise<void> {
    const parent = extractTraceContext(record.headers);
    const span = tracer.startSpan(
      `process ${record.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': this.options.groupId ?? this.options.stage,
          'ballast.stage': this.options.stage,
        },
      },
      parent,
    );
    this.active++;
    try {
      await context.with(trace.setSpan(parent, span), () => this.decodeAndRun(record, control, span));
    } finally {
      this.active--;
      span.end();
    }
  }

  private async decodeAndRun(record: ReceivedRecord, control: DeliveryControl, span: Span): Promise<void> {
    const decoded = decode(record, this.transport.verifiesHandOffs === true);
    if (!decoded.ok) return this.deadLetter(record, span, decoded.why);
    const envelope = decoded.envelope;
    span.setAttributes({ 'ballast.request_id': envelope.requestId, 'ballast.tenant_id': envelope.tenantId });
    const handler = this.options.handlers.get(record.topic);
    if (!handler) {
      return this.deadLetter(record, span, { errorClass: ERROR_CODES.internal, reason: `no handler for ${record.topic}` });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { topic, partition, offset, headers } = record;
        await handler(envelope, { topic, partition, offset, headers, attempt, heartbeat: control.heartbeat });
        return;
      } catch (error) {
        const retryable = isTransient(error) && attempt < this.retry.maxAttempts;
        span.addEvent('handler_failed', { attempt, retryable, 'error.type': errorClass(error) });
        if (!retryable) {
          await this.deadLetter(record, span, {
            errorClass: errorClass(error),
            reason: `${describeError(error)}${isTransient(error) ? ` (gave up after ${attempt} attempts)` : ''}`,
          });
          if (PIPELINE_TOPICS.has(record.topic)) await this.failRequest(envelope as Envelope<PipelineState>, error);
          return;
        }
        await control.heartbeat();
        await this.sleep(backoffDelay(attempt, this.retry));
      }
    }
  }

  /** The one outcome of a request this stage gave up on; the error's own text stays out (it may quote content). */
  private async failRequest(envelope: Envelope<PipelineState>, error: unknown): Promise<void> {
    const code = error instanceof BallastError ? error.code : ERROR_CODES.handlerFailed;
    const state = endWith(envelope.payload, 'failed', {
      code,
      message: `the ${this.options.stage} stage could not handle the request (${errorClass(error)}); send it again`,
    });
    await publishOutcome((this.publisher ??= new Publisher(this.transport, this.options.stage)), envelope, state);
  }

  private async deadLetter(record: ReceivedRecord, span: Span, why: Omit<DeadLetterReason, 'stage'>): Promise<void> {
    span.setStatus({ code: SpanStatusCode.ERROR, message: why.errorClass });
    span.setAttribute('error.type', why.errorClass);
    await this.transport.send([deadLetterFor(record, { ...why, stage: this.options.stage })]);
  }
}

function errorClass(error: unknown): string {
  if (error instanceof BallastError) return error.code;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
