import { defineConfig, durationMs, int, offPathConsumerConfig, serviceConfig, type Config } from '#config';
import { providerConfigFields } from '#models';
import { z } from 'zod';

export const judgeConfig = defineConfig(
  serviceConfig({
    ...offPathConsumerConfig,
    /** The judge model for rubrics that name none; unset (and no rubric model): the heuristic judge. */
    BALLAST_JUDGE_MODEL: z.string().min(1).max(200).optional(),
    BALLAST_JUDGE_RUBRICS_DIR: z.string().min(1).default('rubrics'),
    /** Upper bound for all calls of one judgement (retries, fallbacks and self-consistency samples together). */
    BALLAST_JUDGE_TIMEOUT_MS: durationMs().default(60_000),
    /** Asks per verdict when the judge answers something that is not a valid verdict, before it is recorded as a judge error. */
    BALLAST_JUDGE_VERDICT_ATTEMPTS: int({ min: 1, max: 5 }).default(2),
    // The judge reaches its model through the same providers, routes and prices as inference.
    ...providerConfigFields,
    SIMULATOR_TTFT_MS: int({ min: 0 }).default(0),
    SIMULATOR_TOKENS_PER_SECOND: int({ min: 0 }).default(0),
  }),
);
export type JudgeConfig = Config<typeof judgeConfig.schema>;
