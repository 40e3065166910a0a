import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardrailPolicy } from '../../policy/guardrail-policy.js';
import { ChatClassifierDetector, HttpClassifierDetector, OpenAiModerationDetector, modelDetectorsFrom } from './http.model-detectors.js';
import { ModelDetectorRegistry, runModelDetectors, type ModelDetector } from './model-detector.js';

const refs = (models: unknown) => GuardrailPolicy.parse({ input: { models } }).input.models;
const fixed = (name: string, score: number, label?: string): ModelDetector => ({ name, detect: async () => ({ score, ...(label ? { label } : {}) }) });
const hanging: ModelDetector = { name: 'slow', detect: () => new Promise(() => undefined) };
const failing: ModelDetector = { name: 'down', detect: async () => { throw new Error('ECONNREFUSED'); } };

describe('runModelDetectors', () => {
  const registry = new ModelDetectorRegistry([fixed('guard', 0.93, 'INJECTION'), fixed('quiet', 0.1), hanging, failing], 50);

  it('blocks when a detector scores at or above the threshold, and passes below it', async () => {
    const [hit, miss] = await runModelDetectors(registry, refs(['guard', { name: 'quiet', threshold: 0.5 }]), 'text', 'input');
    expect(hit).toMatchObject({ decision: 'block', detector: 'model:guard', rule: 'INJECTION', score: 0.93 });
    expect(miss).toMatchObject({ decision: 'pass', detector: 'model:quiet', score: 0.1 });
  });

  it('time-boxes a detector that does not answer, even one that ignores its abort signal', async () => {
    const started = Date.now();
    const [v] = await runModelDetectors(registry, refs([{ name: 'slow', timeoutMs: 30 }]), 'text', 'input');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(v).toMatchObject({ decision: 'pass', rule: 'detector_unavailable' });
  });

  it('fails open or closed per policy when a detector is down or not configured', async () => {
    const [open, closed, unknown] = await runModelDetectors(registry, refs([{ name: 'down' }, { name: 'down', onError: 'closed' }, { name: 'nope', onError: 'closed' }]), 'text', 'output');
    expect(open).toMatchObject({ decision: 'pass', rule: 'detector_unavailable' });
    expect(closed).toMatchObject({ decision: 'block', rule: 'detector_unavailable' });
    expect(unknown).toMatchObject({ decision: 'block', rule: 'detector_unavailable' });
  });

  it('only records a finding when the policy action is `warn`', async () => {
    const [v] = await runModelDetectors(registry, refs([{ name: 'guard', action: 'warn' }]), 'text', 'input');
    expect(v).toMatchObject({ decision: 'pass', rule: 'INJECTION' });
  });
});

describe('HTTP model detectors', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ url: string; body: Record<string, unknown>; auth: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        seen.push({ url: req.url ?? '', body, auth: req.headers.authorization });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v1/moderations') {
          res.end(JSON.stringify({ results: [{ flagged: true, category_scores: { violence: 0.91, hate: 0.02 } }] }));
        } else if (req.url === '/predict') {
          res.end(JSON.stringify([[{ label: 'BENIGN', score: 0.03 }, { label: 'INJECTION', score: 0.97 }]]));
        } else if (req.url === '/v1/chat/completions') {
          res.end(JSON.stringify({ choices: [{ message: { content: 'unsafe\nS2' } }] }));
        } else {
          res.statusCode = 503;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const signal = () => AbortSignal.timeout(2_000);

  it('reads an OpenAI-compatible moderation answer', async () => {
    const d = new OpenAiModerationDetector({ name: 'moderation', url: `${base}/v1`, apiKey: 'k-1' });
    expect(await d.detect('some text', signal())).toEqual({ score: 0.91, label: 'violence' });
    expect(seen.at(-1)).toMatchObject({ url: '/v1/moderations', body: { input: 'some text' }, auth: 'Bearer k-1' });
  });

  it('reads a text-classification answer (Prompt Guard style)', async () => {
    const d = new HttpClassifierDetector({ name: 'prompt-guard', url: `${base}/predict`, positiveLabels: ['INJECTION', 'JAILBREAK'] });
    expect(await d.detect('ignore that', signal())).toEqual({ score: 0.97, label: 'INJECTION' });
  });

  it('reads a Llama Guard verdict from a chat endpoint', async () => {
    const d = new ChatClassifierDetector({ name: 'llama-guard', url: `${base}/v1`, model: 'llama-guard-3' });
    expect(await d.detect('text', signal())).toEqual({ score: 1, label: 'S2' });
  });

  it('treats an HTTP error as the detector being down', async () => {
    const registry = new ModelDetectorRegistry([new HttpClassifierDetector({ name: 'broken', url: `${base}/missing`, positiveLabels: ['X'] })]);
    const [v] = await runModelDetectors(registry, refs([{ name: 'broken', onError: 'closed' }]), 'text', 'input');
    expect(v).toMatchObject({ decision: 'block', rule: 'detector_unavailable' });
  });

  it('builds detectors from GUARDRAIL_MODEL_DETECTORS, keys from the named variable', () => {
    const detectors = modelDetectorsFrom(
      JSON.stringify([
        { name: 'moderation', kind: 'openai-moderation', url: 'https://api.example.com/v1', apiKeyEnv: 'MOD_KEY' },
        { name: 'prompt-guard', kind: 'classifier', url: 'http://pg:8080/predict' },
      ]),
      { MOD_KEY: 'secret' },
    );
    expect(detectors.map((d) => d.name)).toEqual(['moderation', 'prompt-guard']);
    expect(modelDetectorsFrom(undefined)).toEqual([]);
    expect(() => modelDetectorsFrom('[{"name":"x","kind":"nope","url":"http://x"}]')).toThrow();
  });
});
