import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_SYSTEM,
  activeTraceIds,
  captureContent,
  configureObservability,
  contentCaptureEnabled,
  extractTraceContext,
  finishedSpans,
  injectTraceHeaders,
  kafkaProcessAttributes,
  kafkaSendAttributes,
  processSpanName,
  resetFinishedSpans,
  resetObservabilitySettings,
  sendSpanName,
  shutdownTelemetry,
  startTelemetry,
  withSpan,
} from './index.js';

const topic = 'ballast.guard-input.v1';

describe('telemetry in memory mode', () => {
  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ingress', exporter: 'memory' });
  });
  afterEach(() => resetFinishedSpans());
  afterAll(() => shutdownTelemetry());

  it('links the consumer span to the producer span across a Kafka hop', async () => {
    const headers = await withSpan(sendSpanName(topic), { kind: SpanKind.PRODUCER, attributes: kafkaSendAttributes({ topic }) }, () =>
      injectTraceHeaders({ 'ballast-type': 'guard-input' }),
    );
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // The consumer runs with nothing active, as a fresh Kafka callback would.
    await context.with(ROOT_CONTEXT, () =>
      withSpan(
        processSpanName(topic),
        { kind: SpanKind.CONSUMER, parent: extractTraceContext(headers), attributes: kafkaProcessAttributes({ topic, partition: 2, offset: '41', consumerGroup: 'guardrail' }) },
        () => withSpan('guardrail.check', {}, () => undefined),
      ),
    );

    const [send, child, process] = finishedSpans();
    expect(send?.name).toBe('send ballast.guard-input.v1');
    expect(process?.name).toBe('process ballast.guard-input.v1');
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    expect(process?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(child?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
    expect(process?.attributes[ATTR_MESSAGING_SYSTEM]).toBe('kafka');
    expect(process?.attributes[ATTR_MESSAGING_DESTINATION_NAME]).toBe(topic);
    expect(process?.attributes['messaging.destination.partition.id']).toBe('2');
    expect(process?.attributes['messaging.kafka.offset']).toBe(41);
    expect(process?.attributes['messaging.consumer.group.name']).toBe('guardrail');
  });

  it('reads trace headers that arrive as Buffers', async () => {
    const headers = await withSpan('send x', {}, () => injectTraceHeaders());
    const kafkaHeaders = { traceparent: Buffer.from(headers.traceparent ?? '') };
    await withSpan('process x', { parent: extractTraceContext(kafkaHeaders, ROOT_CONTEXT) }, () => undefined);
    const [send, process] = finishedSpans();
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
  });

  it('shares one provider when a second service starts telemetry in the same process', async () => {
    const second = await startTelemetry({ serviceName: 'guardrail', exporter: 'none' });
    expect(second).toEqual({ serviceName: 'ingress', exporter: 'memory', reused: true });
    await withSpan('after second start', {}, () => undefined);
    expect(finishedSpans().map((span) => span.name)).toEqual(['after second start']);
  });

  it('marks a span as failed when its work throws, and rethrows', async () => {
    await expect(withSpan('chat sim-1', {}, () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
    const [span] = finishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('TypeError');
  });

  it('keeps message content off spans unless the parsed config turns BALLAST_CAPTURE_CONTENT on', async () => {
    const previous = process.env.BALLAST_CAPTURE_CONTENT;
    try {
      process.env.BALLAST_CAPTURE_CONTENT = 'true'; // ignored: the parsed config is the only reader
      await withSpan('off', {}, (span) => captureContent(span, ATTR_GEN_AI_INPUT_MESSAGES, () => 'secret prompt'));
      configureObservability({ LOG_LEVEL: 'info', BALLAST_LOG_CONTENT: false, BALLAST_CAPTURE_CONTENT: true });
      expect(contentCaptureEnabled()).toBe(true);
      await withSpan('on', {}, (span) => captureContent(span, ATTR_GEN_AI_INPUT_MESSAGES, () => 'opted-in prompt'));
    } finally {
      resetObservabilitySettings();
      if (previous === undefined) delete process.env.BALLAST_CAPTURE_CONTENT;
      else process.env.BALLAST_CAPTURE_CONTENT = previous;
    }
    const [off, on] = finishedSpans();
    expect(off?.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
    expect(on?.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBe('opted-in prompt');
    expect(contentCaptureEnabled()).toBe(false);
  });
});

describe('telemetry lifecycle', () => {
  it('records nothing when nothing exports, yet still gives each request a trace id that crosses hops', async () => {
    await startTelemetry({ serviceName: 'ingress', exporter: 'none', env: {} });
    const headers: Record<string, string> = {};
    let first: { traceId: string; spanId: string } | undefined;
    await withSpan('ingress', {}, () => {
      first = activeTraceIds();
      injectTraceHeaders(headers);
    });
    expect(first?.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    let downstream: { traceId: string; spanId: string } | undefined;
    await context.with(extractTraceContext(headers), () => withSpan('guardrail', {}, () => (downstream = activeTraceIds())));
    expect(downstream?.traceId).toBe(first?.traceId);
    let other: { traceId: string; spanId: string } | undefined;
    await withSpan('another request', {}, () => (other = activeTraceIds()));
    expect(other?.traceId).not.toBe(first?.traceId);
    await shutdownTelemetry();
  });


  it('refuses to hand out in-memory spans when not in memory mode, and can start again after shutdown', async () => {
    await startTelemetry({ serviceName: 'judge', exporter: 'none', env: {} });
    expect(() => finishedSpans()).toThrow(/exporter: 'memory'/);
    await shutdownTelemetry();
    const restarted = await startTelemetry({ serviceName: 'judge', exporter: 'memory' });
    expect(restarted.reused).toBe(false);
    await withSpan('after restart', {}, () => undefined);
    expect(finishedSpans()).toHaveLength(1);
    await shutdownTelemetry();
  });
});
