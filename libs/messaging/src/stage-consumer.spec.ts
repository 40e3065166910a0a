import { ERROR_CODES, HEADERS, PipelineState, TOPICS, createEnvelope } from '#contracts';
import { MemoryBroker, MemoryTransport } from './memory.transport.js';
import { StageConsumer } from './stage-consumer.js';

const state = PipelineState.parse({
  request: { requestId: 'r-1', tenantId: 'demo', model: 'sim-1', messages: [{ role: 'user', content: 'hi' }] },
  receivedAt: '2026-01-01T00:00:00.000Z',
  prompt: null,
  rendered: { model: 'sim-1', messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 256 },
});

function recordOn(topic: string) {
  const envelope = createEnvelope(TOPICS.cacheLookup, state, { requestId: 'r-1', tenantId: 'demo' });
  return { topic, partition: 0, offset: '0', key: 'r-1', value: Buffer.from(JSON.stringify(envelope)), headers: {}, timestamp: Date.parse('2026-01-01T00:00:00.000Z') };
}

describe('StageConsumer: a request a stage cannot handle still gets exactly one outcome', () => {
  it('dead-letters it and answers the client with one failed outcome (the store behind the stage timed out)', async () => {
    const broker = new MemoryBroker(1);
    const transport = new MemoryTransport(broker);
    // What pg-pool throws when PGlite's one connection stays busy past the connect timeout.
    const failing = async () => Promise.reject(new Error('timeout exceeded when trying to connect'));
    const stage = new StageConsumer(transport, { stage: 'cache', handlers: new Map([[TOPICS.cacheLookup, failing]]), concurrency: 1 });

    await stage.process(recordOn(TOPICS.cacheLookup), { heartbeat: async () => undefined } as never);

    const outcomes = broker.records(TOPICS.responses).map((r) => JSON.parse(r.value.toString()) as { payload: { requestId: string; status: string; error: { code: string; message: string } } });
    expect(outcomes.map((o) => [o.payload.requestId, o.payload.status, o.payload.error.code])).toEqual([['r-1', 'failed', ERROR_CODES.handlerFailed]]);
    expect(outcomes[0]!.payload.error.message).not.toContain('timeout exceeded');
    const dead = broker.records(TOPICS.dlq);
    expect(dead.map((r) => [r.headers[HEADERS.failedStage], r.headers[HEADERS.originalTopic]])).toEqual([['cache', TOPICS.cacheLookup]]);
  });
});
