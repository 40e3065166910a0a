import { InjectionClassifier, type InjectionModelFile } from '../../services/guardrail/src/detectors/injection/classifier/injection-classifier.js';
import { seededRandom } from '#models';
import { featurize, trainInjectionModel, type LabelledExample, type TrainOptions } from '../../services/guardrail/src/detectors/injection/classifier/injection-classifier.trainer.js';
import { InjectionDetector } from '../../services/guardrail/src/detectors/injection/injection.detector.js';
import { DEFAULT_POLICY } from '../../services/guardrail/src/policy/guardrail-policy.js';
import { scanText } from '../../services/guardrail/src/scan/guard-scanner.js';
import { GuardText } from '../../services/guardrail/src/text/guard-text.js';
import { bipiaAttacks, classifierSources, type ClassifierSource } from './datasets.js';
import { embedInEmail } from './indirect.bench.js';

/** The seed `npm run guard:train` and the benchmark train with. */
export const TRAINING_SEED = 20_261_206;

export interface SourceFigures {
  source: string;
  label: 0 | 1;
  n: number;
  /** Share flagged (recall for attacks, false-positive rate for benign texts) at the `balanced` threshold. */
  classifier: number;
  rules: number;
  combined: number;
}

export interface ClassifierReport {
  /** Each attack source scored by a model trained without it (benign test splits left out too). */
  attacksLeftOut: SourceFigures[];
  /** Each benign source's test split (20 %, never trained on), scored by a model trained on every other row. */
  benignSplit: SourceFigures[];
  /** Each benign source scored by a model trained without any of it: a domain the model has never seen. */
  benignLeftOut: SourceFigures[];
  /** BIPIA attacks embedded in e-mails, scanned as documents (never a training source). */
  bipia: SourceFigures;
  /** Every source scored by the shipped weights, its own rows included: not a result. */
  inSample: SourceFigures[];
  misses: Record<string, string[]>;
}

export function examplesOf(sources: readonly ClassifierSource[]): LabelledExample[] {
  return sources.flatMap((s) => s.texts.map((text) => ({ text, label: s.label, source: s.name })));
}

const RULES = [new InjectionDetector()];

function rulesFlag(text: string, source: 'message' | 'document'): boolean {
  return scanText(text, { phase: 'input', source, policy: DEFAULT_POLICY }, RULES).verdicts.some((v) => v.decision === 'block');
}

function figures(source: string, label: 0 | 1, texts: string[], model: InjectionModelFile, rules: (t: string) => boolean, misses: Record<string, string[]>, tag: string): SourceFigures {
  const classifier = new InjectionClassifier(model);
  const threshold = classifier.threshold('balanced');
  let c = 0;
  let r = 0;
  let both = 0;
  const wrong: string[] = [];
  for (const text of texts) {
    const byModel = classifier.score(new GuardText(text)).probability >= threshold;
    const byRules = rules(text);
    if (byModel) c++;
    if (byRules) r++;
    if (byModel || byRules) both++;
    if (byModel !== (label === 1)) wrong.push(text);
  }
  misses[`${tag}:${source}`] = wrong;
  const n = texts.length || 1;
  return { source, label, n: texts.length, classifier: c / n, rules: r / n, combined: both / n };
}

const key = (text: string) => new GuardText(text).collapsed.text.replace(/\s+/g, ' ').trim();

const TEST_SHARE = 0.2;

/**
 * The classifier's honest figures. Every benign source keeps a seeded 20 % test split out of all
 * training here. Then: each attack source scored by a model trained without it (and without any
 * text that normalises to one of its texts); the benign test splits scored by the model trained on
 * everything else; each benign source scored by a model trained without it; and, for reference,
 * every source in-sample with the shipped weights.
 */
export function runClassifierBench(shipped: InjectionModelFile, seed = TRAINING_SEED, log: (line: string) => void = () => undefined, options: Omit<TrainOptions, 'seed'> = {}): ClassifierReport {
  const sources = classifierSources();
  const featured = featurize(examplesOf(sources));
  const keys = featured.map((e) => key(e.text));
  const random = seededRandom(seed ^ 0x5eed);
  const test = new Set<number>();
  for (const s of sources.filter((x) => x.label === 0)) {
    const rows = featured.map((e, i) => (e.source === s.name ? i : -1)).filter((i) => i >= 0);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    for (const i of rows.slice(0, Math.round(rows.length * TEST_SHARE))) test.add(i);
  }
  const misses: Record<string, string[]> = {};
  const ruleCache = new Map<string, boolean>();
  const rules = (t: string) => {
    let hit = ruleCache.get(t);
    if (hit === undefined) ruleCache.set(t, (hit = rulesFlag(t, 'message')));
    return hit;
  };
  const trainWithout = (leftOut: string | null, skipTest: boolean) => {
    const held = new Set(leftOut ? sources.find((s) => s.name === leftOut)!.texts.map(key) : []);
    const rows = featured.filter((e, i) => e.source !== leftOut && !held.has(keys[i]!) && !(skipTest && test.has(i)));
    log(`  training without ${leftOut ?? 'the benign test splits'}: ${rows.length} texts`);
    return trainInjectionModel(rows, { ...options, seed });
  };
  const attacksLeftOut = sources.filter((s) => s.label === 1).map((s) => figures(s.name, 1, s.texts, trainWithout(s.name, true), rules, misses, 'loso'));
  const split = trainWithout(null, true);
  const benignSplit = sources
    .filter((s) => s.label === 0)
    .map((s) => figures(s.name, 0, featured.filter((e, i) => e.source === s.name && test.has(i)).map((e) => e.text), split, rules, misses, 'split'));
  const benignLeftOut = sources.filter((s) => s.label === 0).map((s) => figures(s.name, 0, s.texts, trainWithout(s.name, false), rules, misses, 'loso'));
  const emails = bipiaAttacks().map((a, i) => embedInEmail(a.text, i));
  const bipia = figures('bipia-in-emails (document)', 1, emails, shipped, (t) => rulesFlag(t, 'document'), misses, 'loso');
  const inSample = sources.map((s) => figures(s.name, s.label, s.texts, shipped, rules, misses, 'in-sample'));
  return { attacksLeftOut, benignSplit, benignLeftOut, bipia, inSample, misses };
}

/** Mean recall over attack sources. */
export function meanRecall(rows: readonly SourceFigures[], pick: (r: SourceFigures) => number): number {
  const attacks = rows.filter((r) => r.label === 1);
  return attacks.reduce((s, r) => s + pick(r), 0) / Math.max(1, attacks.length);
}
