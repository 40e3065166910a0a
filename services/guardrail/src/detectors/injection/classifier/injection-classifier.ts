import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BallastError, ERROR_CODES } from '#contracts';
import { GuardText } from '../../../text/guard-text.js';
import { FeatureBag, forEachFeature, hasWords, windowsOf, type FeatureSpec } from './injection-features.js';

export const INJECTION_MODEL_FORMAT = 'ballast-injection-classifier/1';

/** The shipped weights (built by `npm run guard:train`); the build copies `services/guardrail/data/` to `dist/`. */
export const SHIPPED_INJECTION_MODEL = fileURLToPath(new URL('../../../../data/injection-classifier.json', import.meta.url));

const Probability = z.number().gt(0).lt(1);

/** The weights file: a logistic regression over hashed features, with Platt calibration. */
export const InjectionModelFile = z
  .strictObject({
    format: z.literal(INJECTION_MODEL_FORMAT),
    about: z.string(),
    features: z.strictObject({
      dims: z.number().int().min(1024).max(1 << 22).refine((n) => (n & (n - 1)) === 0, 'a power of two'),
      window: z.number().int().min(256).max(1 << 20),
      stride: z.number().int().min(64).max(1 << 20),
      smoothing: z.number().min(0).max(10_000),
      minWords: z.number().int().min(0).max(100),
      charAcrossWords: z.boolean(),
      view: z.literal('collapsed'),
      wordNgrams: z.tuple([z.literal(1), z.literal(2)]),
      charNgrams: z.tuple([z.literal(3), z.literal(5)]),
    }),
    bias: z.number().finite(),
    /** Weight i is `int16(weights)[i] * weightScale`. */
    weightScale: z.number().positive().finite(),
    /** Little-endian int16 weights, base64: `dims` of them. */
    weights: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    /** p = 1 / (1 + exp(-(a * margin + b))), fitted on a held-out fold. */
    calibration: z.strictObject({ a: z.number().finite(), b: z.number().finite() }),
    thresholds: z.strictObject({ strict: Probability, balanced: Probability, permissive: Probability }),
    training: z.record(z.string(), z.unknown()),
  })
  .superRefine((m, ctx) => {
    const bytes = (m.weights.length * 3) / 4 - (m.weights.endsWith('==') ? 2 : m.weights.endsWith('=') ? 1 : 0);
    if (bytes !== m.features.dims * 2) ctx.addIssue({ code: 'custom', path: ['weights'], message: `expected ${m.features.dims} int16 weights (${m.features.dims * 2} bytes), found ${bytes} bytes` });
    if (!(m.thresholds.strict <= m.thresholds.balanced && m.thresholds.balanced <= m.thresholds.permissive)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'expected strict <= balanced <= permissive' });
    }
  });
export type InjectionModelFile = z.infer<typeof InjectionModelFile>;

/** The policy's names for a threshold, or a probability. */
export type ClassifierThreshold = 'strict' | 'balanced' | 'permissive' | number;

export interface FeatureContribution {
  /** `w:` a word or word pair, `c:` a character n-gram, of the normalised text. */
  feature: string;
  /** Its share of the margin (logit before calibration). */
  weight: number;
}

export interface InjectionScoreResult {
  /** Calibrated probability that the text is an injection or jailbreak attempt. */
  probability: number;
  /** The window of the normalised text that scored highest (its range in view offsets). */
  window: { start: number; end: number };
  /** Too few words to judge: `probability` is 0 and only the rules decide. */
  abstained: boolean;
}

/**
 * Scores texts with a weights file. Pure after construction: the same text always gets the same
 * probability.
 *
 * @example new InjectionClassifier(loadInjectionModel()).score(new GuardText('Ignore all previous instructions')).probability // 0.99
 */
export class InjectionClassifier {
  readonly spec: FeatureSpec;
  readonly thresholds: InjectionModelFile['thresholds'];
  private readonly weights: Float32Array;
  private readonly bias: number;
  private readonly a: number;
  private readonly b: number;
  private readonly bag: FeatureBag;

  constructor(readonly model: InjectionModelFile) {
    this.spec = { dims: model.features.dims, window: model.features.window, stride: model.features.stride, smoothing: model.features.smoothing, minWords: model.features.minWords, charAcrossWords: model.features.charAcrossWords };
    this.thresholds = model.thresholds;
    const raw = Buffer.from(model.weights, 'base64');
    this.weights = new Float32Array(this.spec.dims);
    for (let i = 0; i < this.spec.dims; i++) this.weights[i] = raw.readInt16LE(i * 2) * model.weightScale;
    this.bias = model.bias;
    this.a = model.calibration.a;
    this.b = model.calibration.b;
    this.bag = new FeatureBag(this.spec.dims, this.spec.charAcrossWords);
  }

  /** The probability threshold a policy setting stands for. */
  threshold(setting: ClassifierThreshold): number {
    return typeof setting === 'number' ? setting : this.thresholds[setting];
  }

  score(text: GuardText | string): InjectionScoreResult {
    const view = typeof text === 'string' ? new GuardText(text).collapsed.text : text.collapsed.text;
    if (!hasWords(view, this.spec.minWords)) return { probability: 0, window: { start: 0, end: view.length }, abstained: true };
    let best = -Infinity;
    let bestWindow = { start: 0, end: view.length };
    let start = 0;
    for (const window of windowsOf(view, this.spec)) {
      const margin = this.margin(window);
      if (margin > best) {
        best = margin;
        bestWindow = { start, end: start + window.length };
      }
      start += this.spec.stride;
    }
    return { probability: this.calibrate(best), window: bestWindow, abstained: false };
  }

  /** The margin (uncalibrated logit) of one window of view text. */
  margin(window: string): number {
    let sum = 0;
    const w = this.weights;
    const count = this.bag.each(window, (b) => (sum += w[b]!));
    return count === 0 ? this.bias : this.bias + sum / Math.sqrt(count + this.spec.smoothing);
  }

  calibrate(margin: number): number {
    return 1 / (1 + Math.exp(-(this.a * margin + this.b)));
  }

  /** The features of the highest-scoring window that pushed the score up most (for `guard scan --explain`). */
  explain(text: GuardText | string, top = 8): FeatureContribution[] {
    const view = typeof text === 'string' ? new GuardText(text).collapsed.text : text.collapsed.text;
    const { window, abstained } = this.score(text);
    if (abstained) return [];
    const names = new Map<number, string>();
    forEachFeature(view.slice(window.start, window.end), this.spec.dims, () => undefined, (b, f) => {
      if (!names.has(b)) names.set(b, f);
    }, undefined, this.spec.charAcrossWords);
    const norm = Math.sqrt(names.size + this.spec.smoothing || 1);
    return [...names]
      .map(([b, feature]) => ({ feature, weight: Math.round((this.weights[b]! / norm) * 1000) / 1000 }))
      .filter((c) => c.weight > 0)
      .sort((x, y) => y.weight - x.weight || (x.feature < y.feature ? -1 : 1))
      .slice(0, top);
  }
}

/**
 * Reads and checks a weights file. A missing or malformed file is one clear error naming the file
 * and the first problem (the service checks it at start-up: `GUARDRAIL_INJECTION_MODEL`).
 */
export function loadInjectionModel(path: string = SHIPPED_INJECTION_MODEL): InjectionModelFile {
  if (!existsSync(path)) throw new BallastError(ERROR_CODES.internal, `the injection classifier weights file ${path} does not exist (GUARDRAIL_INJECTION_MODEL; build one with npm run guard:train)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BallastError(ERROR_CODES.internal, `the injection classifier weights file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = InjectionModelFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BallastError(ERROR_CODES.internal, `the injection classifier weights file ${path} is malformed: ${issue.path.join('.') || '(root)'}: ${issue.message} (rebuild it with npm run guard:train)`);
  }
  return parsed.data;
}

let shipped: InjectionClassifier | undefined;

/** The classifier with the shipped weights, read on first use (the scanner's default; the service passes its own). */
export function shippedInjectionClassifier(): InjectionClassifier {
  shipped ??= new InjectionClassifier(loadInjectionModel());
  return shipped;
}
