import { DEFAULT_POLICY } from '../../services/guardrail/src/policy/guardrail-policy.js';
import { scanText } from '../../services/guardrail/src/scan/guard-scanner.js';
import { CanaryDetector } from '../../services/guardrail/src/detectors/leak/leak.detectors.js';
import { extractionDetection } from './datasets.js';

export interface ExtractionReport {
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  recall: number;
  falsePositiveRate: number;
  precision: number;
  misses: Record<string, string[]>;
}

const CANARY_ONLY = [new CanaryDetector()];

/**
 * Tensor Trust's model outputs, labelled whether they give away the access code. The access code
 * plays the canary: the output guardrail's canary detector (the same matcher the service runs on
 * its own random canary) decides whether the output leaks it.
 */
export function runExtractionBench(): ExtractionReport {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  let negatives = 0;
  const misses: Record<string, string[]> = { fn: [], fp: [] };
  for (const s of extractionDetection()) {
    const result = scanText(s.output, { phase: 'output', source: 'completion', policy: DEFAULT_POLICY, canary: s.secret }, CANARY_ONLY);
    const flagged = result.decision === 'block';
    if (s.leaks) {
      positives++;
      if (flagged) tp++;
      else misses['fn']!.push(`${JSON.stringify(s.secret)} | ${JSON.stringify(s.output.slice(0, 200))}`);
    } else {
      negatives++;
      if (flagged) {
        fp++;
        misses['fp']!.push(`${JSON.stringify(s.secret)} | ${JSON.stringify(s.output.slice(0, 200))}`);
      }
    }
  }
  return { positives, negatives, tp, fp, recall: tp / positives, falsePositiveRate: fp / negatives, precision: tp + fp ? tp / (tp + fp) : 0, misses };
}
