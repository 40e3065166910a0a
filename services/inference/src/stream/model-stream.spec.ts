import { ERROR_CODES, TOPICS, type Envelope, type ModelChunk, type PipelineState, type UsageEvent } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { SimulatorProvider } from '#models';
import { InMemoryProcessedMessageStore } from '#persistence';
import { inferenceEnvelope, pipelineState } from '../../test/support/inference.harness.js';
import { CompleteUseCase } from '../complete/complete.usecase.js';
import { StreamCalls } from './stream-calls.js';

function streamed(requestId: string): PipelineState {
  const state = pipelineState({ requestId });
  return { ...state, request: { ...state.request, options: { ...state.request.options, stream: true } }, guard: { stream: { windowTokens: 16 } } };
}

function harness(simulator: SimulatorProvider) {
  const broker = new MemoryBroker(3);
  const transport = new MemoryTransport(broker);
  const calls = new StreamCalls();
  const useCase = new CompleteUseCase({ defaultTimeoutMs: 30_000, providers: [simulator], ledger: new InMemoryProcessedMessageStore(), publisher: new Publisher(transport, 'inference') }, calls);
  const payloads = <T>(topic: string) => broker.records(topic).map((r) => (JSON.parse(r.value.toString()) as Envelope<T>).payload);
  return { useCase, calls, chunks: () => payloads<ModelChunk>(TOPICS.modelChunks), forwarded: () => payloads<PipelineState>(TOPICS.guardOutput), usage: () => payloads<UsageEvent>(TOPICS.usage), close: () => transport.close() };
}

describe('inference streams a marked request as model chunks', () => {
  it('opens with the pipeline state, sends the text in order, and ends with the finish reason and usage before the answer goes on', async () => {
    const h = harness(new SimulatorProvider({ ttftMs: 0, tokensPerSecond: 0 }));
    await h.useCase.execute(inferenceEnvelope(streamed('s-1')));
    const chunks = h.chunks();
    expect(chunks[0]).toMatchObject({ seq: 0, start: { state: { request: { requestId: 's-1' } } } });
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    const completion = h.forwarded()[0]!.completion!;
    expect(chunks.map((c) => c.delta).join('')).toBe(completion.content);
    expect(chunks.at(-1)!.end).toMatchObject({ finish: 'stop', finishReason: 'stop', usage: { outputTokens: completion.usage.outputTokens } });
    await h.close();
  });

  it('does not stream a request the input guardrail did not mark', async () => {
    const h = harness(new SimulatorProvider());
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'plain' })));
    expect(h.chunks()).toEqual([]);
    await h.close();
  });

  it('aborts the model call on a cancel, ends the stream as cancelled and still publishes the usage of what was produced', async () => {
    const aborted: number[] = [];
    const h = harness(new SimulatorProvider({ ttftMs: 0, tokensPerSecond: 100, observer: { aborted: (c) => aborted.push(c.outputTokens) } }));
    const running = h.useCase.execute(inferenceEnvelope(streamed('s-2')));
    while (h.chunks().filter((c) => c.delta).length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(h.calls.cancel('demo', 's-2')).toBe(true);
    await running;
    expect(aborted).toHaveLength(1);
    expect(h.chunks().at(-1)!.end).toMatchObject({ finish: 'cancelled', error: { code: ERROR_CODES.cancelled } });
    const [usage] = h.usage();
    expect(usage).toMatchObject({ status: 'error', errorType: 'cancelled', partial: true });
    expect(usage!.outputTokens).toBe(aborted[0]);
    expect(usage!.outputTokens).toBeGreaterThan(0);
    await h.close();
  });
});
