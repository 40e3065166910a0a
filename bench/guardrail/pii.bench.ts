import { DEFAULT_POLICY } from '../../services/guardrail/src/policy/guardrail-policy.js';
import { scanText } from '../../services/guardrail/src/scan/guard-scanner.js';
import { presidio } from './datasets.js';

/** Our entity → Presidio's label for the same thing. */
export const TO_PRESIDIO: Record<string, string> = {
  EMAIL: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN: 'IBAN_CODE',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  URL: 'DOMAIN_NAME',
  DATE_OF_BIRTH: 'DATE_TIME',
  PERSON: 'PERSON',
  SECRET: 'SECRET',
};

/** Types with a fixed shape (checksums, formats): the F2 >= 0.90 target applies to these. */
export const STRUCTURED = ['CREDIT_CARD', 'EMAIL_ADDRESS', 'IBAN_CODE', 'IP_ADDRESS', 'PHONE_NUMBER', 'US_SSN', 'DOMAIN_NAME'];

export interface EntityRow {
  entity: string;
  support: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f2: number;
}

export interface PiiReport {
  rows: EntityRow[];
  structured: EntityRow;
  misses: Record<string, string[]>;
}

function score(entity: string, tp: number, fp: number, fn: number): EntityRow {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
  return { entity, support: tp + fn, tp, fp, fn, precision, recall, f2 };
}

/**
 * Span-level scoring: a prediction is a true positive when its type matches and its span equals the
 * gold span, ignoring surrounding whitespace and trailing punctuation.
 */
export function runPiiBench(): PiiReport {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (e: string, k: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(e) ?? { tp: 0, fp: 0, fn: 0 };
    c[k]++;
    counts.set(e, c);
  };
  const misses: Record<string, string[]> = {};
  const note = (key: string, line: string) => (misses[key] ??= []).push(line);
  for (const sample of presidio()) {
    const result = scanText(sample.text, { phase: 'input', source: 'message', policy: DEFAULT_POLICY });
    const predicted = result.verdicts
      .filter((v) => v.detector === 'pii')
      .flatMap((v) => v.spans)
      .map((s) => ({ entity: TO_PRESIDIO[s.entity] ?? s.entity, ...trim(sample.text, s.start, s.end) }));
    const gold = sample.spans.map((s) => ({ entity: s.entity, ...trim(sample.text, s.start, s.end) }));
    const matched = new Set<number>();
    for (const p of predicted) {
      const i = gold.findIndex((g, gi) => !matched.has(gi) && g.entity === p.entity && g.start === p.start && g.end === p.end);
      if (i >= 0) {
        matched.add(i);
        bump(p.entity, 'tp');
      } else {
        bump(p.entity, 'fp');
        const overlap = gold.find((g) => g.start < p.end && p.start < g.end);
        note(`${p.entity}:fp`, `${JSON.stringify(sample.text.slice(p.start, p.end))} gold=${overlap ? `${overlap.entity}:${JSON.stringify(sample.text.slice(overlap.start, overlap.end))}` : '-'} | ${JSON.stringify(sample.text.slice(Math.max(0, p.start - 40), p.end + 20))}`);
      }
    }
    gold.forEach((g, gi) => {
      if (matched.has(gi)) return;
      bump(g.entity, 'fn');
      note(`${g.entity}:fn`, `${JSON.stringify(sample.text.slice(g.start, g.end))} | ${JSON.stringify(sample.text.slice(Math.max(0, g.start - 50), g.end + 20))}`);
    });
  }
  const rows = [...counts.entries()].map(([e, c]) => score(e, c.tp, c.fp, c.fn)).sort((a, b) => b.support - a.support);
  const sum = (k: 'tp' | 'fp' | 'fn') => STRUCTURED.reduce((n, e) => n + (counts.get(e)?.[k] ?? 0), 0);
  return { rows, structured: score('structured (micro)', sum('tp'), sum('fp'), sum('fn')), misses };
}

function trim(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /[\s.,;:!?]/.test(text[end - 1]!)) end--;
  return { start, end };
}
