import type { Publisher } from '#messaging';

export const JUDGE_DEPS = Symbol('JUDGE_DEPS');

export interface JudgeDeps {
  publisher: Publisher;
}
