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

describe('StageConsumer: in-process hand-off on the in-memory bus', () => {
  const handled = async (send: (transport: MemoryTransport) => Promise<void>) => {
    const broker = new MemoryBroker(1);
    const transport = new MemoryTransport(broker, { verifyHandOffs: true });
    const seen: unknown[] = [];
    const stage = new StageConsumer(transport, {
      stage: 'cache',
      handlers: new Map([[TOPICS.cacheLookup, async (envelope: unknown) => void seen.push(envelope)]]),
      concurrency: 1,
    });
    await stage.start();
    await send(transport);
    const deadline = Date.now() + 5_000;
    while (seen.length + broker.records(TOPICS.dlq).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await stage.stop();
    return { seen, dead: broker.records(TOPICS.dlq).map((r) => r.headers[HEADERS.errorReason]) };
  };

  it('hands a published envelope to the stage as the same object, frozen, without encoding it', async () => {
    const envelope = createEnvelope(TOPICS.cacheLookup, state, { requestId: 'r-1', tenantId: 'demo' });
    let encoded = 0;
    const { seen, dead } = await handled((t) =>
      t.send([{ topic: TOPICS.cacheLookup, key: 'r-1', headers: {}, decoded: envelope, get value() { encoded++; return Buffer.from(JSON.stringify(envelope)); } }]),
    );
    expect(dead).toEqual([]);
    expect(seen).toEqual([envelope]);
    expect(seen[0]).toBe(envelope);
    expect(Object.isFrozen(envelope.payload.request)).toBe(true);
    expect(() => ((envelope.payload as { cache: unknown }).cache = null)).toThrow(TypeError);
    // Verification reads the bytes once to compare; nothing else does.
    expect(encoded).toBe(1);
  });

  it('dead-letters a hand-off that its bytes would not decode to (a Date where JSON carries a string), naming where', async () => {
    const envelope = createEnvelope(TOPICS.cacheLookup, state, { requestId: 'r-2', tenantId: 'demo' });
    const drifted = { ...envelope, payload: { ...envelope.payload, receivedAt: new Date('2026-01-01T00:00:00.000Z') } };
    const { seen, dead } = await handled((t) => t.send([{ topic: TOPICS.cacheLookup, key: 'r-2', headers: {}, decoded: drifted, value: Buffer.from(JSON.stringify(drifted)) }]));
    expect(seen).toEqual([]);
    expect(dead).toEqual(["in-process hand-off differs from its bytes' decoding at payload.receivedAt (Date in process, string from bytes)"]);
  });
});
