import type { Verdict } from '#contracts';
import { counter } from '#observability';
import type { ModelDetectorRef, PiiSettings } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { decisionFor, verdict, type Phase } from '../detector.js';
import { piiVerdicts } from '../pii/pii.detector.js';
import type { SpanRecognizer } from '../pii/span-recognizer.js';

const failures = () =>
  counter({
    name: 'ballast_guardrail_detector_failures_total',
    help: 'Model detectors and HTTP span recognisers that did not give a usable answer, by reason, and whether the text was let through (open) or blocked (closed)',
    labelNames: ['reason', 'outcome'],
    labelBounds: { reason: ['timeout', 'error', 'malformed', 'not_configured'], outcome: ['open', 'closed'] },
  });

/** An answer that does not have the documented shape (not JSON, wrong fields, spans outside the text). */
export class MalformedAnswer extends Error {}

/** What a model-based detector says about one text. */
export interface ModelDetection {
  /** 0–1: how sure the detector is that the text is what it looks for. */
  score: number;
  /** The detector's label (a moderation category, `INJECTION`, a Llama Guard hazard code…). */
  label?: string;
}

/**
 * A detector backed by a model behind HTTP: an OpenAI-compatible moderation endpoint, a
 * text-classification server (Prompt Guard and the like), a Llama Guard chat endpoint. It must
 * honour `signal`; the guardrail also time-boxes it on its own.
 */
export interface ModelDetector {
  readonly name: string;
  detect(text: string, signal: AbortSignal): Promise<ModelDetection>;
}

/** A model detector that also returns PII spans (a Presidio Analyzer, a GLiNER/NER server). */
export type SpanModelDetector = ModelDetector & SpanRecognizer;

export function returnsSpans(detector: ModelDetector): detector is SpanModelDetector {
  return typeof (detector as Partial<SpanRecognizer>).recognize === 'function';
}

/** The model detectors a deployment has configured, by name. */
export class ModelDetectorRegistry {
  private readonly byName: Map<string, ModelDetector>;

  constructor(
    detectors: readonly ModelDetector[] = [],
    readonly defaultTimeoutMs = 500,
  ) {
    this.byName = new Map(detectors.map((d) => [d.name, d]));
  }

  get(name: string): ModelDetector | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byName.size;
  }
}

class DetectorTimeout extends Error {}

/** Resolves with the call's answer, or rejects once `timeoutMs` has passed, whether or not the call honours its signal. */
export async function timeBoxed<T>(call: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DetectorTimeout(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The verdict name of a span recogniser's findings: PII like the built-in detector's, redacted the same way. */
export const spanDetectorName = (name: string) => `pii:${name}`;

/**
 * Runs the model detectors a policy names, in parallel and time-boxed. A detector that is down,
 * slow, unknown or answers in a shape it should not follows the policy's `onError`: `open` records
 * the failure and lets the text through, `closed` blocks it; each failure is counted
 * (`ballast_guardrail_detector_failures_total`). A detector that returns spans gives PII verdicts
 * (`pii:<name>`) acted on by the phase's PII policy (`pii`), spans at or above the ref's threshold.
 */
export async function runModelDetectors(registry: ModelDetectorRegistry | undefined, refs: readonly ModelDetectorRef[], text: string, phase: Phase, pii?: PiiSettings): Promise<Verdict[]> {
  if (refs.length === 0) return [];
  const found = await Promise.all(
    refs.map(async (ref): Promise<Verdict[]> => {
      const detector = registry?.get(ref.name);
      const name = detector && returnsSpans(detector) ? spanDetectorName(ref.name) : `model:${ref.name}`;
      if (ref.action === 'off') return [{ phase, decision: 'pass', detector: name, spans: [] }];
      const unavailable = (reason: 'timeout' | 'error' | 'malformed' | 'not_configured', why: string) => {
        failures().inc({ reason, outcome: ref.onError });
        return [
          verdict(phase, name, ref.onError === 'closed' ? 'block' : 'pass', {
            rule: 'detector_unavailable',
            reason: `the ${ref.name} detector ${why}; failing ${ref.onError === 'closed' ? 'closed (blocked)' : 'open (let through)'}`,
          }),
        ];
      };
      if (!detector) return unavailable('not_configured', 'is not configured on this guardrail');
      const timeoutMs = ref.timeoutMs ?? registry!.defaultTimeoutMs;
      try {
        if (returnsSpans(detector)) {
          const guardText = new GuardText(text);
          const matches = await timeBoxed(async (signal) => detector.recognize(guardText, signal), timeoutMs);
          const kept = matches.filter((m) => m.score >= ref.threshold);
          if (ref.action === 'warn') return piiVerdicts(phase, name, kept, pii ? { ...pii, default: 'warn', entities: {} } : undefined, text);
          return piiVerdicts(phase, name, kept, pii, text);
        }
        const result = await timeBoxed((signal) => detector.detect(text, signal), timeoutMs);
        const score = Number.isFinite(result.score) ? Math.min(1, Math.max(0, result.score)) : 0;
        if (score < ref.threshold) return [{ phase, decision: 'pass', detector: name, score, spans: [] }];
        return [
          verdict(phase, name, decisionFor(ref.action), {
            rule: result.label ?? 'flagged',
            score,
            reason: `the ${ref.name} detector flagged the ${phase === 'input' ? 'input' : 'answer'}${result.label ? ` (${result.label})` : ''}`,
          }),
        ];
      } catch (error) {
        if (error instanceof DetectorTimeout) return unavailable('timeout', 'did not answer in time');
        if (error instanceof MalformedAnswer) return unavailable('malformed', `gave an answer it should not (${error.message})`);
        return unavailable('error', 'failed');
      }
    }),
  );
  return found.flat();
}
