// Builds the injection classifier's weights (services/guardrail/data/injection-classifier.json) and
// its model card (docs/guardrail-model.md) from ../shared/datasets (or BALLAST_DATASETS_DIR), with a
// fixed seed: the same data gives the same bytes.
//   npm run guard:train                                  rebuild the shipped weights and the card
//   npm run guard:train -- --extra mine.jsonl --out my-weights.json   add a team's {"text","label"} lines
//   npm run guard:train -- --check                       exit 1 when the committed weights differ from a rebuild
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { InjectionModelFile } from '../services/guardrail/src/detectors/injection/classifier/injection-classifier.js';
import { featurize, inputsDigest, serialiseModel, trainInjectionModel, type LabelledExample } from '../services/guardrail/src/detectors/injection/classifier/injection-classifier.trainer.js';
import { TRAINING_SEED, examplesOf, meanRecall, runClassifierBench, type ClassifierReport, type SourceFigures } from '../bench/guardrail/classifier.bench.js';
import { classifierSources, datasetsDir, type ClassifierSource } from '../bench/guardrail/datasets.js';

const args = process.argv.slice(2);
const valuesOf = (flag: string) => args.flatMap((a, i) => (a === flag && args[i + 1] ? [args[i + 1]!] : []));
const fail = (message: string): never => {
  process.stderr.write(`guard:train: ${message}\n`);
  process.exit(1);
};

/** A team's own labelled lines: {"text": "...", "label": 1 | 0 | "attack" | "benign"}. */
function extraSource(path: string): ClassifierSource[] {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return fail(`cannot read ${path}`);
  }
  const texts: Record<0 | 1, string[]> = { 0: [], 1: [] };
  raw.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: { text?: unknown; label?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      return fail(`${path}:${i + 1}: not a JSON line`);
    }
    const label = row.label === 1 || row.label === true || row.label === 'attack' ? 1 : row.label === 0 || row.label === false || row.label === 'benign' ? 0 : null;
    if (typeof row.text !== 'string' || row.text.trim() === '' || label === null) return fail(`${path}:${i + 1}: expected {"text": "...", "label": 1 | 0 | "attack" | "benign"}`);
    texts[label].push(row.text);
  });
  return ([1, 0] as const)
    .filter((label) => texts[label].length > 0)
    .map((label) => ({ name: `extra:${basename(path)}:${label ? 'attack' : 'benign'}`, label, from: path, texts: texts[label] }));
}

const seed = Number(valuesOf('--seed')[0] ?? TRAINING_SEED);
const check = args.includes('--check');
// The source copy (the build copies it to dist/): run from the repository root, as npm run does.
const out = resolve(valuesOf('--out')[0] ?? 'services/guardrail/data/injection-classifier.json');
const card = valuesOf('--card')[0] ?? (valuesOf('--out').length === 0 ? 'docs/guardrail-model.md' : undefined);
const sources = [...classifierSources(), ...valuesOf('--extra').flatMap(extraSource)];
const examples: LabelledExample[] = examplesOf(sources);
const started = Date.now();
const digest = inputsDigest(examples, { seed });
const model = trainInjectionModel(featurize(examples), { seed }, {
  sources: sources.map((s) => ({ name: s.name, label: s.label ? 'attack' : 'benign', rows: s.texts.length })),
  inputsSha256: digest,
});
const bytes = serialiseModel(model);
const trainSeconds = (Date.now() - started) / 1000;

if (check) {
  const committed = readFileSync(out, 'utf8');
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  if (committed !== bytes) fail(`${out} (sha256 ${sha(committed)}) differs from a rebuild from ${datasetsDir()} with seed ${seed} (sha256 ${sha(bytes)}): run npm run guard:train`);
  process.stdout.write(`${out} matches a rebuild (sha256 ${sha(bytes)}, ${trainSeconds.toFixed(1)} s)\n`);
  process.exit(0);
}

writeFileSync(out, bytes);
process.stdout.write(`wrote ${out}: ${(bytes.length / 1024).toFixed(0)} KiB, ${examples.length} texts, ${trainSeconds.toFixed(1)} s\n`);

if (card) {
  process.stdout.write('leave-one-source-out figures for the model card (one training per source)...\n');
  const report = runClassifierBench(model, seed, (line) => process.stdout.write(`${line}\n`));
  writeFileSync(card, modelCard(model, sources, report, bytes.length));
  process.stdout.write(`wrote ${card}\n`);
}

function pct(n: number): string {
  return `${(n * 100).toFixed(1)} %`;
}

function rows(list: readonly SourceFigures[]): string {
  return list.map((r) => `| ${r.source} | ${r.n} | ${pct(r.classifier)} | ${pct(r.rules)} | ${pct(r.combined)} |`).join('\n');
}

function modelCard(m: InjectionModelFile, data: readonly ClassifierSource[], report: ClassifierReport, size: number): string {
  const head = '| source | texts | classifier | rules | classifier or rules |\n|---|---|---|---|---|';
  const mean = (pick: (r: SourceFigures) => number) => pct(meanRecall(report.attacksLeftOut, pick));
  return `# Injection classifier: model card

The guardrail's learned prompt-injection and jailbreak detector (\`injection-classifier\` in verdicts),
shipped as \`services/guardrail/data/injection-classifier.json\` and run in-process: no model download,
no network. This page is written by \`npm run guard:train\` (\`tools/train-injection-classifier.ts\`);
edit the tool, not the page.

## Model

- Logistic regression over **hashed features** (${m.features.dims.toLocaleString('en')} buckets, FNV-1a with a Murmur3 finish)
  of the guardrail's \`collapsed\` text view (\`services/guardrail/src/text/guard-text.ts\`: NFKC, invisible
  characters dropped, tag characters decoded, look-alike letters folded to Latin, lower case, leetspeak undone,
  spaced-out letters joined), so \`1gn0r3 рrevious\` and \`ignore previous\` share features:
  word unigrams and bigrams, and character 3-, 4- and 5-grams (white-space runs as one space).
  Binary features, scaled by 1/sqrt(number of distinct features + ${m.features.smoothing}), so a short text's few features weigh less.
- Texts of fewer than ${m.features.minWords} words are not scored: the classifier abstains (probability 0) and the rules decide.
- Texts longer than ${m.features.window} characters are scored in windows of ${m.features.window} every ${m.features.stride}; the highest window counts.
- Trained by AdaGrad (${String(m.training['epochs'])} epochs, L2 ${String(m.training['l2'])}), classes weighted equally, and within a class each
  source weighted as the square root of its size, so the largest benign set does not drown the small attack sets.
- **Calibrated**: Platt scaling (equal class priors) fitted on a seeded ${pct(Number(m.training['calibrationShare']))} of every source held out of
  training (\`calibration\` in the file: p = 1 / (1 + exp(-(${m.calibration.a} * margin + ${m.calibration.b})))).
- **Thresholds** a prompt policy names (\`input.injectionClassifier\`): \`strict\` = ${m.thresholds.strict}, \`balanced\` = ${m.thresholds.balanced} (default; a finding warns unless the policy sets \`injectionClassifierAction: block\`, see docs/guardrails.md),
  \`permissive\` = ${m.thresholds.permissive}, or any probability in (0, 1); \`off\` leaves the rules alone. The three presets were picked
  from leave-one-source-out runs on these sets (0.5 / 0.9 / 0.98 of the calibrated probability), as were the L2 penalty and the 4-word minimum; \`balanced\` was raised from 0.8 to 0.9 after "Please help me with my order." scored 0.88, so those figures
  are not entirely untouched by tuning; the sources behind them were never trained on by the model scoring them.
- Weights: int16, scaled by \`weightScale\`, base64; the file is ${(size / 1024).toFixed(0)} KiB. Seed ${String(m.training['seed'])};
  sha256 of the training inputs \`${String(m.training['inputsSha256'])}\`.

## Data

Attacks (label 1) and benign texts (label 0), read from \`../shared/datasets\` (never copied into the repository):

| source | label | texts | from |
|---|---|---|---|
${data.map((s) => `| ${s.name} | ${s.label ? 'attack' : 'benign'} | ${s.texts.length} | ${s.from} |`).join('\n')}

Not used for training: BIPIA's attack strings (ordinary tasks that are attacks only inside a document: scored
below embedded in e-mails, never trained on), Tensor Trust's extraction-detection rows (model outputs: the canary
benchmark uses them), XSTest's unsafe prompts (harmful, but not injections). \`jailbreaks-in-the-wild\` has no
labels and is taken as all attacks; a few of its rows are plain role-play requests.

## Figures

At the \`balanced\` threshold (${m.thresholds.balanced}), with the rule-based \`injection\` detector (default policy) beside it.
The rules were written against the older development sets (Tensor Trust, Giskard, NotInject, XSTest), so
their figures on those sets are in-sample.

**Leave one attack source out** (the figure to improve): each attack source scored by a model trained without it;
the benign sources' 20 % test splits were out of that training too.

${head}
${rows(report.attacksLeftOut)}
| **mean over attack sources** | | **${mean((r) => r.classifier)}** | **${mean((r) => r.rules)}** | **${mean((r) => r.combined)}** |

**Benign test splits** (false positives): each benign source's seeded 20 % split, scored by the model trained on
every attack source and the other 80 %.

${head}
${rows(report.benignSplit)}

**Leave one benign source out** (false positives on a kind of text the model has never seen):

${head}
${rows(report.benignLeftOut)}

**Indirect injection** (never trained on): BIPIA's attack strings embedded in e-mails, scanned as documents.

${head}
${rows([report.bipia])}

**In-sample** (the shipped weights on their own training data; **not a result**, shown to expose over-fitting):

${head}
${rows(report.inSample)}

Latency: \`npm run bench:guardrail\` (2 KB prompt, p50/p99 and CPU per scan).

## Retraining on your own data

\`\`\`
npm run guard:train -- --extra my-labelled.jsonl --out my-injection-classifier.json
GUARDRAIL_INJECTION_MODEL=$PWD/my-injection-classifier.json npm start
\`\`\`

\`--extra\` takes JSON lines \`{"text": "...", "label": 1 | 0 | "attack" | "benign"}\` (repeatable); each file adds one
attack source and one benign source to the public data. The service reads and checks the weights file at start-up:
a missing or malformed file stops it with one message naming the file and the problem.
\`npm run guard:train -- --check\` rebuilds in memory and exits 1 when the committed file differs (same data, same seed,
same bytes).
`;
}
