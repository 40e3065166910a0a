import { PresidioRecognizer } from '../model/http.model-detectors.js';
import { PII_ENTITIES } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { PRESIDIO_EXCHANGES, startFakePresidio } from '../../../test/presidio.fake-server.js';
import { LexiconRecognizer } from './lexicon.recognizer.js';
import { RulesRecognizer } from './pii.recognizers.js';
import type { SpanRecognizer } from './span-recognizer.js';

const TEXTS = [
  'Dear Ana Souza, your card 4111 1111 1111 1111 was charged. Call +44 20 7946 0958 or mail ana@example.org.',
  'Siemens AG moved its office from Munich to Berlin; contact Jürgen Weiß, NINO AB123456C.',
  '',
  ...PRESIDIO_EXCHANGES.map((e) => e.request.text),
];

/** The contract every span recogniser keeps, in-process or behind HTTP. */
function spanRecognizerContract(make: () => Promise<{ recognizer: SpanRecognizer; close?: () => Promise<void> }>) {
  let recognizer: SpanRecognizer;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => ({ recognizer, close } = await make()));
  afterAll(async () => close?.());

  it('returns typed spans inside the text with a score in 0–1', async () => {
    for (const raw of TEXTS) {
      for (const m of await recognizer.recognize(new GuardText(raw), AbortSignal.timeout(2_000))) {
        expect(PII_ENTITIES).toContain(m.entity);
        expect(m.start).toBeGreaterThanOrEqual(0);
        expect(m.end).toBeGreaterThan(m.start);
        expect(m.end).toBeLessThanOrEqual(raw.length);
        expect(m.score).toBeGreaterThanOrEqual(0);
        expect(m.score).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives the same spans for the same text', async () => {
    for (const raw of TEXTS) {
      expect(await recognizer.recognize(new GuardText(raw), AbortSignal.timeout(2_000))).toEqual(await recognizer.recognize(new GuardText(raw), AbortSignal.timeout(2_000)));
    }
  });

  it('finds something in a text full of PII and nothing in an empty one', async () => {
    expect((await recognizer.recognize(new GuardText(PRESIDIO_EXCHANGES[1]!.request.text), AbortSignal.timeout(2_000))).length).toBeGreaterThan(0);
    expect(await recognizer.recognize(new GuardText(''), AbortSignal.timeout(2_000))).toEqual([]);
  });
}

describe('SpanRecognizer contract: rules', () => spanRecognizerContract(async () => ({ recognizer: new RulesRecognizer() })));
describe('SpanRecognizer contract: lexicon', () => spanRecognizerContract(async () => ({ recognizer: new LexiconRecognizer() })));
describe('SpanRecognizer contract: Presidio over HTTP (recorded answers)', () =>
  spanRecognizerContract(async () => {
    const server = await startFakePresidio();
    return { recognizer: new PresidioRecognizer({ name: 'presidio', url: server.url }), close: server.close };
  }));
