import type { GateVerdict, PromotionGate } from '../registry/prompt-registry.service.js';
import type { EvalRunRepository } from './eval-run.repository.js';

/** How `ballast eval run --sample` marks the dataset hash of a partial run. */
export const SAMPLED = 'sample-';

/**
 * The promotion gate over stored eval runs: a version passes when it has a passing run on the
 * prompt's current golden set, which is the dataset hash of the prompt's latest run (of any version).
 */
export class EvalRunPromotionGate implements PromotionGate {
  constructor(private readonly runs: EvalRunRepository) {}

  async passes(name: string, version: number): Promise<GateVerdict> {
    // A sampled run (`eval run --sample`) neither defines the golden set nor passes the gate.
    const latest = (await this.runs.listRuns(name)).find((r) => !r.datasetHash.startsWith(SAMPLED));
    if (!latest) return { passed: false, detail: `no eval run of '${name}' is stored: run ballast eval run --prompt ${name}@${version}` };
    const own = await this.runs.listRuns(name, { version });
    const current = own.filter((r) => r.datasetHash === latest.datasetHash);
    if (own.length > 0 && own.every((r) => r.datasetHash.startsWith(SAMPLED))) {
      return { passed: false, detail: 'it has only sampled eval runs (--sample): run the whole golden set' };
    }
    if (current.some((r) => r.verdict === 'pass')) return { passed: true, detail: `passing eval run on golden set ${latest.datasetHash.slice(0, 12)}` };
    if (current.length > 0) return { passed: false, detail: `its last eval run on the current golden set found ${current[0]!.regressions} regression(s)` };
    return {
      passed: false,
      detail: own.length > 0 ? 'its eval runs are on an older golden set: run ballast eval run again' : `it has no eval run: run ballast eval run --prompt ${name}@${version}`,
    };
  }
}
