import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { HEADERS, type Envelope, type EnvelopeTopic, type PayloadOf } from '#contracts';
import { injectTraceHeaders } from '#observability';
import type { OutgoingRecord, Transport } from './transport.js';

const tracer = trace.getTracer('ballast-messaging');

export interface PublishItem<T extends EnvelopeTopic = EnvelopeTopic> {
  topic: T;
  envelope: Envelope<PayloadOf<T>>;
}

/**
 * Sends envelopes: key = request id, the standard headers, and a `send <topic>` producer span whose
 * context travels in the headers. Resolves once the bus has accepted every record.
 */
export class Publisher {
  constructor(
    private readonly transport: Transport,
    private readonly stage: string,
  ) {}

  publish<T extends EnvelopeTopic>(topic: T, envelope: Envelope<PayloadOf<T>>): Promise<void> {
    return this.publishAll([{ topic, envelope } as PublishItem]);
  }

  /** Publishes to a topic outside the catalogue (a client's `replyTo`, a test topic). */
  publishTo(topic: string, envelope: Envelope<unknown>): Promise<void> {
    return this.publishAll([{ topic, envelope } as unknown as PublishItem]);
  }

  async publishAll(items: readonly PublishItem[]): Promise<void> {
    if (items.length === 0) return;
    const spans = items.map((item) =>
      tracer.startSpan(`send ${item.topic}`, {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.destination.name': item.topic,
          'messaging.message.id': item.envelope.id,
          'ballast.request_id': item.envelope.requestId,
          'ballast.tenant_id': item.envelope.tenantId,
          'ballast.stage': this.stage,
        },
      }),
    );
    const records: OutgoingRecord[] = items.map((item, i) => {
      const headers: Record<string, string> = {
        [HEADERS.type]: item.envelope.type,
        [HEADERS.tenant]: item.envelope.tenantId,
      };
      injectTraceHeaders(headers, trace.setSpan(context.active(), spans[i]!));
      return envelopeRecord(item.topic, item.envelope, headers);
    });
    try {
      await this.transport.send(records);
    } catch (error) {
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'send failed' });
        span.recordException({ name: (error as Error)?.name ?? 'Error', message: 'send failed' });
      }
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }
}

/**
 * The record for an envelope. Its bytes are encoded when a transport first reads `value` (Kafka
 * always does; the in-memory bus only when a consumer asks for bytes), and `decoded` carries the
 * envelope itself for in-process delivery.
 */
function envelopeRecord(topic: string, envelope: Envelope<unknown>, headers: Record<string, string>): OutgoingRecord {
  let value: Buffer | undefined;
  return {
    topic,
    key: envelope.requestId,
    headers,
    decoded: envelope,
    get value() {
      return (value ??= Buffer.from(JSON.stringify(envelope)));
    },
  };
}
