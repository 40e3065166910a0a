import type { Publisher } from '#messaging';
import type { JudgeConfig } from './judge.config.js';
import type { JudgeDeps } from './judge.tokens.js';

/** The judge stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function judgeDepsFromConfig(_config: JudgeConfig, platform: { publisher: Publisher }): JudgeDeps {
  return { publisher: platform.publisher };
}
