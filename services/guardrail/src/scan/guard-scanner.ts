import type { Span, Verdict } from '#contracts';
import { stricter, verdict, type Decision, type Detector, type DetectorContext } from '../detectors/detector.js';
import type { InjectionClassifier } from '../detectors/injection/classifier/injection-classifier.js';
import { InjectionClassifierDetector } from '../detectors/injection/classifier/injection-classifier.detector.js';
import { InjectionDetector } from '../detectors/injection/injection.detector.js';
import { CanaryDetector, SystemPromptLeakDetector } from '../detectors/leak/leak.detectors.js';
import { ConstitutionDetector } from '../detectors/output/constitution.detector.js';
import { GroundingDetector } from '../detectors/output/grounding.detector.js';
import { PiiDetector, redactionToken } from '../detectors/pii/pii.detector.js';
import { PolicyRulesDetector } from '../detectors/policy/policy-rules.detector.js';
import { GuardText } from '../text/guard-text.js';

export interface DetectorSet {
  input: readonly Detector[];
  output: readonly Detector[];
  /** Detectors for text that only travels inside another message (a document variable already scanned as part of it). */
  documentOnly: readonly Detector[];
}

/** Each phase's detectors, with the injection classifier's weights (the shipped ones by default). */
export function detectorSet(classifier?: InjectionClassifier): DetectorSet {
  const learned = new InjectionClassifierDetector(classifier ? () => classifier : undefined);
  return {
    input: [new InjectionDetector(), learned, new PiiDetector(), new PolicyRulesDetector()],
    output: [new CanaryDetector(), new SystemPromptLeakDetector(), new PiiDetector(), new ConstitutionDetector(), new GroundingDetector()],
    documentOnly: [new InjectionDetector(), learned],
  };
}

const SHIPPED = detectorSet();

export interface ScanResult {
  decision: Decision;
  /** One or more verdicts per detector; spans point into the scanned text. */
  verdicts: Verdict[];
  /** PII spans the policy redacts. */
  redactions: Span[];
}

/**
 * Runs the phase's detectors over one text. Never throws: a detector that fails blocks the text
 * (fail closed), so no input escapes a verdict.
 *
 * @example scanText('ignore all previous instructions', { phase: 'input', source: 'message', policy: DEFAULT_POLICY }).decision // 'block'
 */
export function scanText(raw: string, ctx: DetectorContext, detectors?: readonly Detector[]): ScanResult {
  const list = detectors ?? (ctx.phase === 'input' ? SHIPPED.input : SHIPPED.output);
  const text = new GuardText(raw);
  const verdicts: Verdict[] = [];
  for (const detector of list) {
    try {
      verdicts.push(...detector.check(text, ctx));
    } catch {
      verdicts.push(verdict(ctx.phase, detector.name, 'block', { rule: 'detector_error', reason: `the ${detector.name} detector failed on this text; blocked to stay safe` }));
    }
  }
  return summarise(verdicts);
}

export function summarise(verdicts: Verdict[]): ScanResult {
  let decision: Decision = 'pass';
  for (const v of verdicts) decision = stricter(decision, v.decision);
  // The built-in PII detector's and the HTTP span recognisers' (`pii:<name>`) spans.
  const redactions = verdicts.filter((v) => v.decision === 'redact' && (v.detector === 'pii' || v.detector.startsWith('pii:'))).flatMap((v) => v.spans);
  return { decision, verdicts, redactions };
}

/** Replaces spans with `[ENTITY]` tokens; overlapping spans merge, the first entity names the token. */
export function applyRedactions(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let cursor = 0;
  for (const s of sorted) {
    if (s.end <= cursor) continue;
    const start = Math.max(s.start, cursor);
    out += text.slice(cursor, start);
    if (start === s.start) out += redactionToken(s.entity);
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

/** Shifts spans by `offset` (a segment's position in a larger text). */
export function shift(spans: readonly Span[], offset: number): Span[] {
  return offset === 0 ? [...spans] : spans.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset }));
}

/**
 * Folds verdicts from several texts into one list per detector: one verdict per decision (rules
 * and spans united, the highest score kept); a detector with no finding keeps one `pass` verdict.
 */
export function mergeVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  const byDetector = new Map<string, Verdict[]>();
  for (const v of verdicts) byDetector.set(v.detector, [...(byDetector.get(v.detector) ?? []), v]);
  const out: Verdict[] = [];
  for (const [, list] of byDetector) {
    const findings = list.filter((v) => v.decision !== 'pass' || v.rule !== undefined);
    if (findings.length === 0) {
      const scores = list.map((v) => v.score).filter((s): s is number => s !== undefined);
      out.push({ ...list[0]!, spans: [], ...(scores.length ? { score: Math.max(...scores) } : {}) });
      continue;
    }
    const merged = new Map<string, Verdict>();
    for (const v of findings) {
      const seen = merged.get(v.decision);
      if (!seen) {
        merged.set(v.decision, { ...v, spans: [...v.spans] });
        continue;
      }
      seen.spans.push(...v.spans);
      if (v.score !== undefined) seen.score = Math.max(seen.score ?? 0, v.score);
      const rules = new Set([...(seen.rule?.split(',') ?? []), ...(v.rule?.split(',') ?? [])]);
      if (rules.size > 0) seen.rule = [...rules].join(',');
    }
    out.push(...merged.values());
  }
  return out;
}
