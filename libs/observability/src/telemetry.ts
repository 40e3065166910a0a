import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { observabilitySettings } from './observability.settings.js';

/** Where finished spans go: an OTLP/HTTP collector, process memory (tests), or nowhere. */
export type TelemetryExporter = 'otlp' | 'memory' | 'none';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** Base OTLP endpoint (`http://collector:4318`); `/v1/traces` is appended. Defaults to `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint?: string;
  /** Defaults to `otlp` when an endpoint is configured, otherwise `none`. */
  exporter?: TelemetryExporter;
  /** Where the OTLP variables are read from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** What `startTelemetry` set up, and whether this call reused an earlier setup in the same process. */
export interface TelemetryHandle {
  readonly serviceName: string;
  readonly exporter: TelemetryExporter;
  readonly reused: boolean;
}

interface TelemetryState {
  provider: NodeTracerProvider;
  serviceName: string;
  exporter: TelemetryExporter;
  memory: InMemorySpanExporter | undefined;
}

let starting: Promise<TelemetryState> | undefined;
let state: TelemetryState | undefined;

/**
 * Starts tracing for this process: W3C trace-context propagation, AsyncLocalStorage context and the
 * chosen exporter. Call it first in `main.ts`, then import the Nest bootstrap dynamically. The first
 * call wins; later calls (embedded mode runs six services in one process) share its provider.
 *
 * @example
 * await startTelemetry({ serviceName: 'ingress' });
 * const { bootstrap } = await import('./bootstrap.js');
 */
export async function startTelemetry(options: TelemetryOptions): Promise<TelemetryHandle> {
  const reused = starting !== undefined;
  starting ??= setUp(options).catch((error: unknown) => {
    starting = undefined;
    throw error;
  });
  const current = await starting;
  return { serviceName: current.serviceName, exporter: current.exporter, reused };
}

async function setUp(options: TelemetryOptions): Promise<TelemetryState> {
  const env = options.env ?? process.env;
  const url = tracesUrl(options.otlpEndpoint, env);
  const exporter: TelemetryExporter = options.exporter ?? (url ? 'otlp' : 'none');
  const memory = exporter === 'memory' ? new InMemorySpanExporter() : undefined;
  const spanProcessors: SpanProcessor[] = [];
  if (memory) spanProcessors.push(new SimpleSpanProcessor(memory));
  if (exporter === 'otlp') spanProcessors.push(new BatchSpanProcessor(await otlpExporter(url)));

  const resource = defaultResource()
    .merge(resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }))
    .merge(detectResources({ detectors: [envDetector] }));
  // With nothing to export, spans are not recorded (no attributes, events or end processing), but
  // the SDK still gives every root span a fresh trace id and propagates it, so trace ids reach
  // logs, outcomes and Kafka headers all the same.
  const provider = new NodeTracerProvider({ resource, spanProcessors, ...(exporter === 'none' ? { sampler: new AlwaysOffSampler() } : {}) });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new W3CTraceContextPropagator(),
  });
  state = { provider, serviceName: options.serviceName, exporter, memory };
  return state;
}

// Loaded lazily so tests and embedded mode never pull in the HTTP exporter.
async function otlpExporter(url: string | undefined) {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter(url === undefined ? {} : { url });
}

// An explicit endpoint wins; the signal-specific variable is a full URL; a base endpoint gets `/v1/traces` (OTLP spec).
function tracesUrl(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const base = explicit ?? (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? undefined : env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (base) return `${base.replace(/\/+$/, '')}/v1/traces`;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
}

/** Flushes pending spans and unregisters the provider; `startTelemetry` may be called again afterwards. */
export async function shutdownTelemetry(): Promise<void> {
  const pending = starting;
  if (!pending) return;
  starting = undefined;
  const current = await pending.catch(() => undefined);
  if (!current) return;
  if (state === current) state = undefined;
  await current.provider.forceFlush();
  await current.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Exports buffered spans now (e.g. before a test asserts on a collector). */
export async function flushTelemetry(): Promise<void> {
  await state?.provider.forceFlush();
}

/** The in-memory exporter; throws unless telemetry was started with `exporter: 'memory'`. */
export function getMemorySpanExporter(): InMemorySpanExporter {
  if (!state?.memory) {
    throw new Error("In-memory spans are not recorded: call startTelemetry({ exporter: 'memory', ... }) first");
  }
  return state.memory;
}

/** Spans finished so far in memory mode, oldest first. */
export function finishedSpans(): ReadableSpan[] {
  return getMemorySpanExporter().getFinishedSpans();
}

/** Forgets the spans recorded in memory mode (call between tests). */
export function resetFinishedSpans(): void {
  getMemorySpanExporter().reset();
}

/**
 * Whether prompts and completions may be put on spans. Off unless an operator sets
 * `BALLAST_CAPTURE_CONTENT=true` (see `configureObservability`), because spans leave the process and are kept for weeks.
 */
export function contentCaptureEnabled(): boolean {
  return observabilitySettings().captureContent;
}

export type { ReadableSpan };
