import { createHash } from 'node:crypto';
import { seededRandom } from '#models';
import { GuardText } from '../../../text/guard-text.js';
import { INJECTION_MODEL_FORMAT, InjectionClassifier, type InjectionModelFile } from './injection-classifier.js';
import { FeatureBag, windowsOf, type FeatureSpec } from './injection-features.js';

/** One labelled training text: `label` 1 is an attack, 0 benign; `source` names the data set. */
export interface LabelledExample {
  text: string;
  label: 0 | 1;
  source: string;
}

export interface TrainOptions {
  seed: number;
  spec?: FeatureSpec;
  /** Passes over the training fold. */
  epochs?: number;
  /** L2 penalty per update. */
  l2?: number;
  /** Share of each source held out to fit the calibration and thresholds. */
  calibrationShare?: number;
  /** Calibrated probabilities the policy names stand for. */
  thresholds?: { strict: number; balanced: number; permissive: number };
  /** Within a class, a source's total weight grows as its size to this power (0: every source alike, 1: every text alike). */
  sourcePower?: number;
}

export const DEFAULT_SPEC: FeatureSpec = { dims: 1 << 18, window: 4096, stride: 2048, smoothing: 32, minWords: 4, charAcrossWords: true };
const DEFAULTS = { sourcePower: 0.5, epochs: 6, l2: 1e-3, calibrationShare: 0.2, thresholds: { strict: 0.5, balanced: 0.9, permissive: 0.98 } };

/** A text as the trainer keeps it: its distinct feature buckets (first window of the normalised view). */
export interface FeaturedExample extends LabelledExample {
  buckets: Int32Array;
}

/** Featurises once, so leave-one-source-out folds reuse the same vectors. */
export function featurize(examples: readonly LabelledExample[], spec: FeatureSpec = DEFAULT_SPEC): FeaturedExample[] {
  const bag = new FeatureBag(spec.dims, spec.charAcrossWords);
  return examples.map((e) => ({ ...e, buckets: bag.buckets(windowsOf(new GuardText(e.text).collapsed.text, spec)[0]!) }));
}


function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Weights so each class carries the same mass and, within a class, a source weighs as the square
 * root of its size: a large benign set does not drown the small attack sets, and a small source
 * still counts.
 */
function sampleWeights(examples: readonly FeaturedExample[], power: number): Float64Array {
  const sizes = new Map<string, number>();
  for (const e of examples) sizes.set(`${e.label}:${e.source}`, (sizes.get(`${e.label}:${e.source}`) ?? 0) + 1);
  const classMass = [0, 0];
  for (const [key, n] of sizes) classMass[Number(key[0])]! += Math.pow(n, power);
  const out = new Float64Array(examples.length);
  examples.forEach((e, i) => {
    const n = sizes.get(`${e.label}:${e.source}`)!;
    out[i] = (Math.pow(n, power) / n / classMass[e.label]!) * (examples.length / 2);
  });
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Logistic regression by AdaGrad over binary, length-normalised features. */
function fitWeights(examples: FeaturedExample[], spec: FeatureSpec, epochs: number, l2: number, power: number, random: () => number): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(spec.dims);
  const squares = new Float64Array(spec.dims).fill(1e-8);
  let bias = 0;
  let biasSquares = 1e-8;
  const lr = 0.5;
  const sample = sampleWeights(examples, power);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const e = examples[i]!;
      const norm = e.buckets.length ? 1 / Math.sqrt(e.buckets.length + spec.smoothing) : 0;
      let z = bias;
      for (const b of e.buckets) z += weights[b]! * norm;
      const g = (sigmoid(z) - e.label) * sample[i]!;
      for (const b of e.buckets) {
        const grad = g * norm + l2 * weights[b]!;
        squares[b]! += grad * grad;
        weights[b]! -= (lr * grad) / Math.sqrt(squares[b]!);
      }
      biasSquares += g * g;
      bias -= (lr * g) / Math.sqrt(biasSquares);
    }
  }
  return { weights, bias };
}

/** Platt scaling with equal class priors: Newton steps on the weighted log-loss of (margin, label). */
function fitPlatt(margins: number[], labels: number[]): { a: number; b: number } {
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  const weightOf = (l: number) => (l === 1 ? 0.5 / Math.max(1, positives) : 0.5 / Math.max(1, negatives));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < margins.length; i++) {
      const w = weightOf(labels[i]!);
      const p = sigmoid(a * margins[i]! + b);
      const d = (p - labels[i]!) * w;
      const h = p * (1 - p) * w;
      ga += d * margins[i]!;
      gb += d;
      haa += h * margins[i]! * margins[i]!;
      hab += h * margins[i]!;
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-18) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

/** A digest of the training inputs (texts, labels, sources, options): recorded in the weights file. */
export function inputsDigest(examples: readonly LabelledExample[], options: TrainOptions): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ seed: options.seed, spec: options.spec ?? DEFAULT_SPEC, epochs: options.epochs, l2: options.l2, sourcePower: options.sourcePower, calibrationShare: options.calibrationShare, thresholds: options.thresholds }));
  for (const e of examples) hash.update(`\u0000${e.label}\u0000${e.source}\u0000${e.text}`);
  return hash.digest('hex');
}

/**
 * Trains the weights file from labelled texts: a seeded split of every source into a training
 * fold and a calibration fold, logistic regression on the first, Platt scaling and the policy
 * thresholds on the second. The same examples, order and seed give the same bytes.
 */
export function trainInjectionModel(examples: readonly FeaturedExample[], options: TrainOptions, training: Record<string, unknown> = {}): InjectionModelFile {
  const spec = options.spec ?? DEFAULT_SPEC;
  const epochs = options.epochs ?? DEFAULTS.epochs;
  const l2 = options.l2 ?? DEFAULTS.l2;
  const share = options.calibrationShare ?? DEFAULTS.calibrationShare;
  const thresholds = options.thresholds ?? DEFAULTS.thresholds;
  const random = seededRandom(options.seed);
  const bySource = new Map<string, FeaturedExample[]>();
  for (const e of examples) bySource.set(`${e.label}:${e.source}`, [...(bySource.get(`${e.label}:${e.source}`) ?? []), e]);
  const train: FeaturedExample[] = [];
  const calibration: FeaturedExample[] = [];
  for (const key of [...bySource.keys()].sort()) {
    const rows = shuffle([...bySource.get(key)!], random);
    const held = rows.length >= 5 ? Math.max(1, Math.round(rows.length * share)) : 0;
    calibration.push(...rows.slice(0, held));
    train.push(...rows.slice(held));
  }
  const power = options.sourcePower ?? DEFAULTS.sourcePower;
  const { weights, bias } = fitWeights(train, spec, epochs, l2, power, random);
  let largest = 0;
  for (const w of weights) largest = Math.max(largest, Math.abs(w));
  const weightScale = largest > 0 ? largest / 32_767 : 1;
  const quantised = Buffer.alloc(spec.dims * 2);
  for (let i = 0; i < spec.dims; i++) quantised.writeInt16LE(Math.round(weights[i]! / weightScale), i * 2);
  const draft: InjectionModelFile = {
    format: INJECTION_MODEL_FORMAT,
    about: 'Prompt-injection and jailbreak classifier: logistic regression over hashed word 1-2-grams and character 3-5-grams of the normalised text; see docs/guardrail-model.md. Built by npm run guard:train.',
    features: { dims: spec.dims, window: spec.window, stride: spec.stride, smoothing: spec.smoothing, minWords: spec.minWords, charAcrossWords: spec.charAcrossWords, view: 'collapsed', wordNgrams: [1, 2], charNgrams: [3, 5] },
    bias: round6(bias),
    weightScale,
    weights: quantised.toString('base64'),
    calibration: { a: 1, b: 0 },
    thresholds: { strict: 0.5, balanced: 0.5, permissive: 0.5 },
    training: {},
  };
  // Calibrate the model as it ships (quantised weights), on texts it was not trained on.
  const uncalibrated = new InjectionClassifier(draft);
  const margins = calibration.map((e) => uncalibrated.margin(windowsOf(new GuardText(e.text).collapsed.text, spec)[0]!));
  const platt = fitPlatt(margins, calibration.map((e) => e.label));
  const calibrationOf = { a: round6(platt.a), b: round6(platt.b) };
  const weightsSha256 = createHash('sha256').update(draft.weights).digest('hex');
  return {
    ...draft,
    calibration: calibrationOf,
    thresholds,
    training: { ...training, seed: options.seed, epochs, l2, sourcePower: power, calibrationShare: share, trainRows: train.length, calibrationRows: calibration.length, weightsSha256 },
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The weights file as written to disk (stable key order, one trailing newline). */
export function serialiseModel(model: InjectionModelFile): string {
  return `${JSON.stringify(model)}\n`;
}
