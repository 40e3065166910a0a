import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../services/guardrail/src/policy/guardrail-policy.js';
import { scanText } from '../../services/guardrail/src/scan/guard-scanner.js';
import { presidio, repoRoot, type PiiSample } from './datasets.js';

/** Presidio's labels → Ballast's entities (`data/presidio-labels.json`); null: not scored. */
export const PRESIDIO_LABELS: Readonly<Record<string, string | null>> = (
  JSON.parse(readFileSync(join(repoRoot(), 'bench/guardrail/data/presidio-labels.json'), 'utf8')) as { labels: Record<string, string | null> }
).labels;

/** Types with a fixed shape (checksums, formats): the F2 >= 0.95 target applies to these. */
export const STRUCTURED = ['CREDIT_CARD', 'EMAIL', 'IBAN', 'IP_ADDRESS', 'PHONE', 'US_SSN', 'URL'];

/**
 * The split: sentences of even-numbered templates were read while tuning the lists and patterns
 * (`--misses pii-tune:<ENTITY>:fn`); odd-numbered templates were not, and give the figures.
 */
export const isTuneTemplate = (template: number) => template % 2 === 0;

export interface EntityRow {
  entity: string;
  support: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f2: number;
  /** Recall and precision when a prediction of the right type that overlaps the gold span counts. */
  overlapRecall: number;
  overlapPrecision: number;
}

export interface PiiSplitReport {
  rows: EntityRow[];
  structured: EntityRow;
  sentences: number;
}

export interface PiiReport {
  heldOut: PiiSplitReport;
  tune: PiiSplitReport;
  misses: Record<string, string[]>;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  overlapTp: number;
  overlapFp: number;
  overlapFound: number;
}

function score(entity: string, c: Counts): EntityRow {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
  const support = c.tp + c.fn;
  return {
    entity,
    support,
    tp: c.tp,
    fp: c.fp,
    fn: c.fn,
    precision,
    recall,
    f2,
    overlapRecall: support === 0 ? 0 : c.overlapFound / support,
    overlapPrecision: c.overlapTp + c.overlapFp === 0 ? 0 : c.overlapTp / (c.overlapTp + c.overlapFp),
  };
}

/**
 * Span-level scoring: a prediction is a true positive when its type matches and its span equals the
 * gold span, ignoring surrounding whitespace and trailing punctuation. The overlap columns count a
 * prediction of the right type that overlaps a gold span (the set splits some addresses into parts).
 */
function scoreSplit(samples: readonly PiiSample[], misses: Record<string, string[]>, prefix: string): PiiSplitReport {
  const counts = new Map<string, Counts>();
  const bump = (e: string, k: keyof Counts) => {
    const c = counts.get(e) ?? { tp: 0, fp: 0, fn: 0, overlapTp: 0, overlapFp: 0, overlapFound: 0 };
    c[k]++;
    counts.set(e, c);
  };
  const note = (key: string, line: string) => (misses[`${prefix}:${key}`] ??= []).push(line);
  for (const sample of samples) {
    const result = scanText(sample.text, { phase: 'input', source: 'message', policy: DEFAULT_POLICY });
    const predicted = result.verdicts
      .filter((v) => v.detector === 'pii')
      .flatMap((v) => v.spans)
      .map((s) => ({ entity: s.entity, ...trim(sample.text, s.start, s.end) }));
    const gold = sample.spans.flatMap((s) => {
      const entity = PRESIDIO_LABELS[s.entity];
      if (entity === undefined) throw new Error(`presidio-labels.json has no entry for ${s.entity}`);
      return entity === null ? [] : [{ entity, ...trim(sample.text, s.start, s.end) }];
    });
    const unscored = sample.spans.filter((s) => PRESIDIO_LABELS[s.entity] === null);
    const matched = new Set<number>();
    for (const p of predicted) {
      const overlaps = (g: { start: number; end: number }) => g.start < p.end && p.start < g.end;
      if (unscored.some(overlaps) && !gold.some(overlaps)) continue;
      bump(p.entity, gold.some((g) => g.entity === p.entity && overlaps(g)) ? 'overlapTp' : 'overlapFp');
      const i = gold.findIndex((g, gi) => !matched.has(gi) && g.entity === p.entity && g.start === p.start && g.end === p.end);
      if (i >= 0) {
        matched.add(i);
        bump(p.entity, 'tp');
      } else {
        bump(p.entity, 'fp');
        const overlap = gold.find(overlaps);
        note(`${p.entity}:fp`, `${JSON.stringify(sample.text.slice(p.start, p.end))} gold=${overlap ? `${overlap.entity}:${JSON.stringify(sample.text.slice(overlap.start, overlap.end))}` : '-'} | ${JSON.stringify(sample.text.slice(Math.max(0, p.start - 40), p.end + 20))}`);
      }
    }
    gold.forEach((g, gi) => {
      if (predicted.some((p) => p.entity === g.entity && p.start < g.end && g.start < p.end)) bump(g.entity, 'overlapFound');
      if (matched.has(gi)) return;
      bump(g.entity, 'fn');
      note(`${g.entity}:fn`, `${JSON.stringify(sample.text.slice(g.start, g.end))} | ${JSON.stringify(sample.text.slice(Math.max(0, g.start - 50), g.end + 20))}`);
    });
  }
  const rows = [...counts.entries()].map(([e, c]) => score(e, c)).sort((a, b) => b.support - a.support || a.entity.localeCompare(b.entity));
  const sum = (k: keyof Counts) => STRUCTURED.reduce((n, e) => n + (counts.get(e)?.[k] ?? 0), 0);
  const structured = score('structured (micro)', { tp: sum('tp'), fp: sum('fp'), fn: sum('fn'), overlapTp: sum('overlapTp'), overlapFp: sum('overlapFp'), overlapFound: sum('overlapFound') });
  return { rows, structured, sentences: samples.length };
}

/** Per-type figures on the held-out templates (the result) and on the templates read while tuning. */
export function runPiiBench(): PiiReport {
  const all = presidio();
  const misses: Record<string, string[]> = {};
  const heldOut = scoreSplit(all.filter((s) => !isTuneTemplate(s.template)), misses, 'held-out');
  const tune = scoreSplit(all.filter((s) => isTuneTemplate(s.template)), misses, 'tune');
  return { heldOut, tune, misses };
}

function trim(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /[\s.,;:!?]/.test(text[end - 1]!)) end--;
  return { start, end };
}
