/**
 * `npm run bench:guardrail`: the guardrail's detectors over the public datasets in
 * `shared/datasets` (or BALLAST_DATASETS_DIR), printed as one table per measurement.
 *
 *   npm run bench:guardrail                      all tables
 *   npm run bench:guardrail -- --quick           fewer latency iterations
 *   npm run bench:guardrail -- --misses 'giskard:recall'   the texts behind one figure (for tuning)
 *   npm run bench:guardrail -- --no-loso         skip the classifier's leave-one-source-out trainings
 */
import { loadInjectionModel } from '../../services/guardrail/src/detectors/injection/classifier/injection-classifier.js';
import { TRAINING_SEED, meanRecall, runClassifierBench, type SourceFigures } from './classifier.bench.js';
import { runExtractionBench } from './extraction.bench.js';
import { runIndirectBench } from './indirect.bench.js';
import { runInjectionBench } from './injection.bench.js';
import { runLatencyBench } from './latency.bench.js';
import { runPiiBench } from './pii.bench.js';
import { runSecretsBench } from './secrets.bench.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const missesFor = args.includes('--misses') ? args[args.indexOf('--misses') + 1] : undefined;
const loso = !args.includes('--no-loso');

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const f3 = (n: number) => n.toFixed(3);
const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

const injection = runInjectionBench();
const pii = runPiiBench();
const extraction = runExtractionBench();
const indirect = await runIndirectBench();
const shipped = loadInjectionModel();
const classifier = loso ? runClassifierBench(shipped, TRAINING_SEED, (line) => process.stderr.write(`${line}\n`)) : undefined;

if (missesFor) {
  const all: Record<string, string[]> = {
    ...injection.misses,
    ...Object.fromEntries(Object.entries(pii.misses).map(([k, v]) => [`pii:${k}`, v])),
    ...Object.fromEntries(Object.entries(extraction.misses).map(([k, v]) => [`extraction:${k}`, v])),
    ...indirect.misses,
    ...Object.fromEntries(Object.entries(classifier?.misses ?? {}).map(([k, v]) => [`classifier:${k}`, v])),
  };
  const list = all[missesFor];
  if (!list) {
    process.stderr.write(`no such figure; one of:\n  ${Object.keys(all).join('\n  ')}\n`);
    process.exit(64);
  }
  for (const t of list) process.stdout.write(`${JSON.stringify(t)}\n`);
  process.exit(0);
}

table(
  'Prompt injection (input phase, default policy)',
  ['set', 'measure', 'n', 'flagged', 'rate', 'target', 'anchor'],
  injection.rows.map((r) => [r.set, r.measure, String(r.n), String(r.hits), pct(r.rate), r.target, r.anchor]),
);
if (classifier) {
  const header = ['source', 'texts', 'classifier', 'rules', 'classifier or rules'];
  const cells = (r: SourceFigures) => [r.source, String(r.n), pct(r.classifier), pct(r.rules), pct(r.combined)];
  const t = shipped.thresholds.balanced;
  const mean = (pick: (r: SourceFigures) => number) => pct(meanRecall(classifier.attacksLeftOut, pick));
  table(
    `Injection classifier, leave one attack source out (recall at the balanced threshold ${t}; THE figure)`,
    header,
    [...classifier.attacksLeftOut.map(cells), ['mean over attack sources', '', mean((r) => r.classifier), mean((r) => r.rules), mean((r) => r.combined)]],
  );
  table('Injection classifier, benign test splits (20 % of each benign source, never trained on): false positives', header, classifier.benignSplit.map(cells));
  table('Injection classifier, leave one benign source out (a kind of text never seen): false positives', header, classifier.benignLeftOut.map(cells));
  table('Injection classifier, BIPIA attacks in e-mails, scanned as documents (never trained on)', header, [cells(classifier.bipia)]);
  table('Injection classifier, IN-SAMPLE (shipped weights on their own training data; not a result)', header, classifier.inSample.map(cells));
}
table(
  'Indirect injection: BIPIA attack strings (75) in benign e-mails, through the input phase (document variable of a registered prompt; tool result of an ad-hoc request); blocked by the rules or the classifier, flagged = blocked or recorded',
  ['carrier', 'attack at', 'e-mails', 'blocked', 'blocked rate', 'flagged', 'flagged rate'],
  indirect.rows.map((r) => [r.carrier, r.position, String(r.n), String(r.blocked), pct(r.blocked / r.n), String(r.flagged), pct(r.flagged / r.n)]),
);
const piiRows = (split: typeof pii.heldOut) =>
  [...split.rows, split.structured].map((r) => [r.entity, String(r.support), String(r.tp), String(r.fp), String(r.fn), f3(r.precision), f3(r.recall), f3(r.f2), f3(r.overlapPrecision), f3(r.overlapRecall)]);
const piiHeader = ['entity', 'support', 'TP', 'FP', 'FN', 'precision', 'recall', 'F2', 'overlap precision', 'overlap recall'];
table(
  `PII per type, span level (exact span and type), Presidio synthetic set, HELD-OUT templates (odd template ids, ${pii.heldOut.sentences} sentences; never read while tuning; THE figure)`,
  piiHeader,
  piiRows(pii.heldOut),
);
table(`PII per type, the templates read while tuning the lists and patterns (even template ids, ${pii.tune.sentences} sentences; in-sample, not a result)`, piiHeader, piiRows(pii.tune));
table(
  'SECRET recogniser: generated benign ids (must not be marked) and real-looking keys (must be), 500 each, fixed seed',
  ['kind', 'expect', 'n', 'marked SECRET', 'rate', 'example'],
  runSecretsBench().map((r) => [r.kind, r.expect, String(r.n), String(r.marked), pct(r.marked / r.n), r.example]),
);
table(
  'Canary / secret leakage on Tensor Trust extraction-detection (access code as the canary)',
  ['outputs that leak', 'detected', 'recall', 'outputs that do not', 'false alarms', 'false-positive rate', 'precision'],
  [[String(extraction.positives), String(extraction.tp), pct(extraction.recall), String(extraction.negatives), String(extraction.fp), pct(extraction.falsePositiveRate), pct(extraction.precision)]],
);
const latency = await runLatencyBench(quick ? 3_000 : 20_000);
table(
  'Latency per check, 2 KB text, one core (target: input checks p99 <= 2 ms); CPU = process CPU time per check',
  ['check', 'text', 'iterations', 'p50', 'p99', 'max', 'CPU per check'],
  latency.map((r) => [r.check, r.corpus, String(r.iterations), ms(r.p50Us), ms(r.p99Us), ms(r.maxUs), ms(r.cpuUs)]),
);
process.stdout.write(`\nnode ${process.version}, ${new Date().toISOString()}\n`);
