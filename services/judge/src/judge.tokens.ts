import type { Publisher } from '#messaging';
import type { Logger } from '#observability';
import type { JudgeModel } from '#persistence';

export const JUDGE_DEPS = Symbol('JUDGE_DEPS');

export interface JudgeDeps {
  publisher: Publisher;
  /** The judge's model calls; null: every score comes from the heuristic. */
  model: JudgeModel | null;
  /** The judge model for rubrics that name none (BALLAST_JUDGE_MODEL). */
  judgeModel?: string | null;
  rubricsDir?: string;
  /** Upper bound for all calls of one judgement. */
  timeoutMs?: number;
  /** Asks per verdict before an invalid answer becomes a judge error. */
  verdictAttempts?: number;
  logger?: Logger;
}
