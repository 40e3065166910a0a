// Streaming through the official Python `openai` package against embedded Ballast, through
// test/python/openai_stream_check.py (the distributed case is in test/streaming.infra-spec.ts).
import { jest } from '@jest/globals';
import type { LlmResponse } from '#contracts';
import { startEmbedded, type Embedded } from '../apps/embedded/src/embedded.js';
import { ensurePythonOpenAi, runPythonJson } from './support/python-sdk.js';
import { PYTHON_STREAM_SCRIPT, expectPythonStream, type PythonStreamObservations } from './support/python-stream.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-python-stream';
describe('streaming through the Python openai package against embedded Ballast', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    await ensurePythonOpenAi();
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', simulator: { ttftMs: 0, tokensPerSecond: 100 } });
  }, 400_000);
  afterAll(async () => {
    await ballast?.stop();
  });

  it('reads the role, several content deltas, finish_reason and the usage chunk, with the text of the outcome; a blocked input raises BadRequestError', async () => {
    const seen = await runPythonJson<PythonStreamObservations>(PYTHON_STREAM_SCRIPT, { BALLAST_URL: ballast.url, BALLAST_API_KEY: API_KEY, BALLAST_ID_PREFIX: 'py-stream-embedded' });
    const outcome = (await (await fetch(`${ballast.url}/v1/requests/py-stream-embedded-stream`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as LlmResponse;
    expectPythonStream(seen, 'py-stream-embedded', outcome);
  });
});
