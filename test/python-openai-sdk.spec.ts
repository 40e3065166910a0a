// The official Python `openai` package against embedded Ballast (non-streaming), through
// test/python/openai_sdk_check.py. The spec makes `.venv` itself when it is missing (PyPI needed once).
import { jest } from '@jest/globals';
import { startEmbedded, type Embedded } from '../apps/embedded/src/embedded.js';
import { PYTHON_SDK_SCRIPT, ensurePythonOpenAi, expectPythonSdkObservations, runPythonJson, type PythonSdkObservations } from './support/python-sdk.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-python-sdk';

describe('the Python openai package against embedded Ballast', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    await ensurePythonOpenAi();
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts' });
  }, 400_000);
  afterAll(async () => {
    await ballast?.stop();
  });

  it('completes, reports finish_reason and usage, answers structured output, lists models, and raises the SDK\'s error classes', async () => {
    const seen = await runPythonJson<PythonSdkObservations>(PYTHON_SDK_SCRIPT, { BALLAST_URL: ballast.url, BALLAST_API_KEY: API_KEY, BALLAST_ID_PREFIX: 'py-embedded' });
    expect(seen.sdk_version).toMatch(/^\d+\.\d+\.\d+/);
    expectPythonSdkObservations(seen, 'py-embedded');
  });
});
