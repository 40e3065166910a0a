import { metricsRegistry } from '#observability';
import { DEFAULT_POLICY, GuardrailPolicy } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { startFakePresidio } from '../../../test/presidio.fake-server.js';
import { pipelineState } from '../../../test/state.fixture.js';
import { GuardrailEngine } from '../../guardrail.engine.js';
import { modelDetectorsFrom, PresidioRecognizer } from './http.model-detectors.js';
import { ModelDetectorRegistry, runModelDetectors } from './model-detector.js';

const refs = (models: unknown) => GuardrailPolicy.parse({ input: { models } }).input.models;

async function failures(reason: string, outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('ballast_guardrail_detector_failures_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason && v.labels.outcome === outcome)?.value ?? 0;
}

describe('PresidioRecognizer (Presidio Analyzer REST API)', () => {
  let server: Awaited<ReturnType<typeof startFakePresidio>>;
  beforeAll(async () => (server = await startFakePresidio()));
  afterAll(() => server.close());
  beforeEach(() => server.behave('replay'));

  const presidio = (extra: Record<string, unknown> = {}) => new PresidioRecognizer({ name: 'presidio', url: server.url, ...extra });

  it('posts {text, language, entities, score_threshold} to /analyze and maps the answer to Ballast entities', async () => {
    const text = 'John Smith drivers license is AC432223';
    const spans = await presidio({ language: 'en', entities: ['PERSON', 'US_DRIVER_LICENSE'], scoreThreshold: 0.4 }).recognize(new GuardText(text), AbortSignal.timeout(2_000));
    expect(server.requests.at(-1)).toEqual({ text, language: 'en', entities: ['PERSON', 'US_DRIVER_LICENSE'], score_threshold: 0.4 });
    expect(spans.map((s) => [s.entity, text.slice(s.start, s.end), s.score])).toEqual([
      ['PERSON', 'John Smith', 0.85],
      ['DRIVER_LICENSE', 'AC432223', 0.6499999999999999],
    ]);
  });

  it('drops entity types it has no Ballast entity for (DATE_TIME is any date, not a birth date)', async () => {
    const text = 'Call Ana at 212-555-5555 or write to ana@example.org. Meeting on 2024-05-01 in Lisbon.';
    const spans = await presidio().recognize(new GuardText(text), AbortSignal.timeout(2_000));
    expect(spans.map((s) => s.entity).sort()).toEqual(['EMAIL', 'LOCATION', 'PERSON', 'PHONE', 'URL']);
  });

  it('redacts its spans in the pipeline, at their place in the message, under the prompt PII policy', async () => {
    const engine = new GuardrailEngine({ limits: { maxInputChars: 100_000, maxVariableChars: 100_000 }, models: new ModelDetectorRegistry([presidio()]) });
    const text = 'John Smith drivers license is AC432223';
    const step = await engine.checkInput(pipelineState({ variables: { question: text }, policy: { input: { models: ['presidio'], pii: { default: 'redact', recognizers: ['rules'] } } } }));
    expect(step.status).toBe('ok');
    expect(step.state.rendered.messages[1]!.content).toBe('[PERSON] drivers license is [DRIVER_LICENSE]');
    expect(step.verdicts.find((v) => v.detector === 'pii:presidio')).toMatchObject({ decision: 'redact', rule: 'PERSON,DRIVER_LICENSE' });
  });

  it('keeps only spans at or above the policy threshold, and only records them when the action is warn', async () => {
    const text = 'John Smith drivers license is AC432223';
    const [high] = await runModelDetectors(new ModelDetectorRegistry([presidio()]), refs([{ name: 'presidio', threshold: 0.8 }]), text, 'input', DEFAULT_POLICY.input.pii);
    expect(high).toMatchObject({ decision: 'redact', rule: 'PERSON' });
    const [warned] = await runModelDetectors(new ModelDetectorRegistry([presidio()]), refs([{ name: 'presidio', action: 'warn' }]), text, 'input', DEFAULT_POLICY.input.pii);
    expect(warned).toMatchObject({ decision: 'pass', rule: 'PERSON,DRIVER_LICENSE' });
  });

  it.each([
    ['slow', 'timeout'],
    ['error', 'error'],
    ['not-json', 'malformed'],
    ['wrong-shape', 'malformed'],
    ['out-of-range', 'malformed'],
  ] as const)('when the analyzer is %s, fails open or closed per policy and counts it as %s', async (behaviour, reason) => {
    server.behave(behaviour);
    const registry = new ModelDetectorRegistry([presidio()], 200);
    const openBefore = await failures(reason, 'open');
    const closedBefore = await failures(reason, 'closed');
    const [open, closed] = await runModelDetectors(registry, refs([{ name: 'presidio' }, { name: 'presidio', onError: 'closed' }]), 'Ana Souza', 'input', DEFAULT_POLICY.input.pii);
    expect(open).toMatchObject({ detector: 'pii:presidio', decision: 'pass', rule: 'detector_unavailable' });
    expect(closed).toMatchObject({ detector: 'pii:presidio', decision: 'block', rule: 'detector_unavailable' });
    expect(await failures(reason, 'open')).toBe(openBefore + 1);
    expect(await failures(reason, 'closed')).toBe(closedBefore + 1);
  });

  it('is configured from GUARDRAIL_MODEL_DETECTORS with kind presidio', () => {
    const [d] = modelDetectorsFrom(JSON.stringify([{ name: 'presidio', kind: 'presidio', url: 'http://presidio:3000', language: 'de', entities: ['PERSON'] }]));
    expect(d).toBeInstanceOf(PresidioRecognizer);
    expect(() => modelDetectorsFrom(JSON.stringify([{ name: 'p', kind: 'presidio', url: 'http://p', scoreThreshold: 2 }]))).toThrow();
  });
});
