import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { TOPICS, type LlmResponse, type UsageEvent } from '#contracts';
import { startEmbedded, type Embedded } from '../src/embedded.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-restart';

describe('embedded Ballast across a restart on the same data directory', () => {
  let dataDir: string;
  let ballast: Embedded | undefined;

  const start = () => startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', dataDir, env: {} });
  const restart = async () => {
    await ballast!.stop();
    ballast = await start();
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ballast-restart-'));
    ballast = await start();
  });
  afterAll(async () => {
    await ballast?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = (requestId: string, question: string) =>
    fetch(`${ballast!.url}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId, prompt: { name: 'support-answer' }, variables: { question } }),
    });
  const outcomeOf = (requestId: string) => fetch(`${ballast!.url}/v1/requests/${requestId}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  /** Model calls this instance made for a request (the bus starts empty after a restart). */
  const inferenceCalls = (requestId: string) =>
    ballast!.broker
      .records(TOPICS.usage)
      .map((r) => JSON.parse(r.value.toString()).payload as UsageEvent)
      .filter((u) => u.kind === 'inference' && u.requestId === requestId).length;

  it('still answers GET /v1/requests/<id> for a request answered before the restart', async () => {
    const before = (await (await ask('restart-get', 'Where is my parcel?')).json()) as LlmResponse;
    expect(before.status).toBe('completed');

    await restart();

    const res = await outcomeOf('restart-get');
    expect(res.status).toBe(200);
    const after = (await res.json()) as LlmResponse;
    expect(after.status).toBe('completed');
    expect(after.content).toBe(before.content);
  });

  it('answers a replayed POST from the ledger after the restart, without running the request again', async () => {
    const before = (await (await ask('restart-replay', 'How long does delivery take?')).json()) as LlmResponse;
    expect(before.status).toBe('completed');
    expect(inferenceCalls('restart-replay')).toBe(1);

    await restart();

    const replay = await ask('restart-replay', 'How long does delivery take?');
    expect(replay.status).toBe(200);
    expect((await replay.json()) as LlmResponse).toEqual(before);
    expect(inferenceCalls('restart-replay')).toBe(0);
    expect(ballast!.broker.records(TOPICS.guardInput).filter((r) => r.key === 'restart-replay')).toHaveLength(0);
  });

  it('serves an answer cached before the restart from the cache after it', async () => {
    const first = await ask('restart-cache-a', 'Do you ship to Norway?');
    expect(first.headers.get('x-ballast-cache')).toBe('miss');
    const before = (await first.json()) as LlmResponse;

    await restart();

    const again = await ask('restart-cache-b', 'Do you ship to Norway?');
    expect(again.headers.get('x-ballast-cache')).toBe('hit-exact');
    const after = (await again.json()) as LlmResponse;
    expect(after.source).toBe('cache');
    expect(after.content).toBe(before.content);
    expect(inferenceCalls('restart-cache-b')).toBe(0);
  });
});
