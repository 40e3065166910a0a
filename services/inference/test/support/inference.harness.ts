import {
  TOPICS,
  createEnvelope,
  type Envelope,
  type LlmResponse,
  type PipelineState,
  type ResponseFormat,
  type UsageEvent,
} from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { InMemoryProcessedMessageStore } from '#persistence';
import { CompleteUseCase } from '../../src/complete/complete.usecase.js';
import type { InferenceDeps } from '../../src/inference.tokens.js';

export interface StateOptions {
  requestId?: string;
  model?: string;
  fallbackModels?: string[];
  responseFormat?: ResponseFormat;
  deadlineMs?: number;
}

export function pipelineState(options: StateOptions = {}): PipelineState {
  const requestId = options.requestId ?? `req-${Math.random().toString(36).slice(2, 10)}`;
  const model = options.model ?? 'sim-1';
  return {
    request: {
      requestId,
      tenantId: 'demo',
      prompt: { name: 'support-answer' },
      variables: {},
      messages: [],
      options: { cache: 'default', judge: 'default' },
      metadata: {},
    },
    receivedAt: new Date().toISOString(),
    prompt: {
      name: 'support-answer',
      version: 3,
      label: 'production',
      contentHash: 'h',
      model,
      params: options.fallbackModels ? { fallbackModels: options.fallbackModels } : {},
      policies: { guardrail: {}, cache: {}, judge: {} },
    },
    rendered: {
      model,
      messages: [
        { role: 'system', content: 'You are a concise support agent.' },
        { role: 'user', content: 'Where is my parcel?' },
      ],
      temperature: 0,
      maxTokens: 64,
      ...(options.responseFormat ? { responseFormat: options.responseFormat } : {}),
    },
    verdicts: [],
    cache: { outcome: 'miss' },
    timings: [],
  };
}

export function inferenceEnvelope(state: PipelineState, deadlineMs?: number): Envelope<PipelineState> {
  const deadline = deadlineMs === undefined ? null : new Date(Date.now() + deadlineMs).toISOString();
  return createEnvelope(TOPICS.inference, state, { requestId: state.request.requestId, tenantId: state.request.tenantId, deadline });
}

/** The inference use case on the in-memory bus, with what it published readable by topic. */
export function inferenceHarness(deps: Omit<InferenceDeps, 'publisher' | 'ledger' | 'defaultTimeoutMs'> & Partial<Pick<InferenceDeps, 'ledger' | 'defaultTimeoutMs'>>) {
  const broker = new MemoryBroker(3);
  const transport = new MemoryTransport(broker);
  const ledger = deps.ledger ?? new InMemoryProcessedMessageStore();
  const useCase = new CompleteUseCase({ defaultTimeoutMs: 30_000, ...deps, ledger, publisher: new Publisher(transport, 'inference') });
  const payloads = <T>(topic: string) => broker.records(topic).map((r) => (JSON.parse(r.value.toString()) as Envelope<T>).payload);
  return {
    useCase,
    ledger,
    usage: (requestId?: string) => payloads<UsageEvent>(TOPICS.usage).filter((u) => requestId === undefined || u.requestId === requestId),
    forwarded: (requestId?: string) => payloads<PipelineState>(TOPICS.guardOutput).filter((s) => requestId === undefined || s.request.requestId === requestId),
    responses: (requestId?: string) => payloads<LlmResponse>(TOPICS.responses).filter((r) => requestId === undefined || r.requestId === requestId),
    close: () => transport.close(),
  };
}
