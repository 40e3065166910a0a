import type { Verdict } from '#contracts';
import type { ModelDetectorRef } from '../../policy/guardrail-policy.js';
import { decisionFor, verdict, type Phase } from '../detector.js';

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

/** Resolves with the detector's answer, or rejects once `timeoutMs` has passed, whether or not the detector honours its signal. */
export async function timeBoxed(detector: ModelDetector, text: string, timeoutMs: number): Promise<ModelDetection> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DetectorTimeout(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([detector.detect(text, controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the model detectors a policy names, in parallel and time-boxed. A detector that is down,
 * slow or unknown follows the policy's `onError`: `open` records the failure and lets the text
 * through, `closed` blocks it.
 */
export async function runModelDetectors(registry: ModelDetectorRegistry | undefined, refs: readonly ModelDetectorRef[], text: string, phase: Phase): Promise<Verdict[]> {
  if (refs.length === 0) return [];
  return Promise.all(
    refs.map(async (ref): Promise<Verdict> => {
      const name = `model:${ref.name}`;
      if (ref.action === 'off') return { phase, decision: 'pass', detector: name, spans: [] };
      const detector = registry?.get(ref.name);
      const unavailable = (why: string) =>
        verdict(phase, name, ref.onError === 'closed' ? 'block' : 'pass', {
          rule: 'detector_unavailable',
          reason: `the ${ref.name} detector ${why}; failing ${ref.onError === 'closed' ? 'closed (blocked)' : 'open (let through)'}`,
        });
      if (!detector) return unavailable('is not configured on this guardrail');
      try {
        const result = await timeBoxed(detector, text, ref.timeoutMs ?? registry!.defaultTimeoutMs);
        const score = Number.isFinite(result.score) ? Math.min(1, Math.max(0, result.score)) : 0;
        if (score < ref.threshold) return { phase, decision: 'pass', detector: name, score, spans: [] };
        return verdict(phase, name, decisionFor(ref.action), {
          rule: result.label ?? 'flagged',
          score,
          reason: `the ${ref.name} detector flagged the ${phase === 'input' ? 'input' : 'answer'}${result.label ? ` (${result.label})` : ''}`,
        });
      } catch (error) {
        return unavailable(error instanceof DetectorTimeout ? `did not answer in time` : 'failed');
      }
    }),
  );
}
