import { ConfigError } from '#config';
import type { Publisher } from '#messaging';
import { createProviders, PRICE_TABLE, providerSpecs, withLocalPrices, type SimulatorOptions } from '#models';
import type { JudgeConfig } from './judge.config.js';
import type { JudgeDeps } from './judge.tokens.js';
import { ProviderJudgeModel } from './score/provider.judge-model.js';

/**
 * The judge stage's dependencies from its parsed configuration (distributed and embedded mode alike):
 * its model calls go through the same providers, routes and prices as inference (`#models`).
 */
export function judgeDepsFromConfig(
  config: JudgeConfig,
  platform: { publisher: Publisher; simulator?: SimulatorOptions },
  env: NodeJS.ProcessEnv = process.env,
): JudgeDeps {
  const simulator = platform.simulator ?? { ttftMs: config.SIMULATOR_TTFT_MS, tokensPerSecond: config.SIMULATOR_TOKENS_PER_SECOND };
  const model = new ProviderJudgeModel({
    providers: createProviders(providerSpecs(config, env), { simulator }),
    prices: withLocalPrices(PRICE_TABLE, config.INFERENCE_PRICES),
    routing: {
      ...(config.INFERENCE_MODEL_ROUTES ? { routes: config.INFERENCE_MODEL_ROUTES } : {}),
      ...(config.INFERENCE_FALLBACK_MODELS ? { fallbacks: config.INFERENCE_FALLBACK_MODELS } : {}),
    },
  });
  if (config.BALLAST_JUDGE_MODEL && !model.serves(config.BALLAST_JUDGE_MODEL)) {
    throw new ConfigError([{ variable: 'BALLAST_JUDGE_MODEL', message: `no configured provider serves "${config.BALLAST_JUDGE_MODEL}" (see INFERENCE_PROVIDERS)` }]);
  }
  return {
    publisher: platform.publisher,
    model,
    judgeModel: config.BALLAST_JUDGE_MODEL ?? null,
    rubricsDir: config.BALLAST_JUDGE_RUBRICS_DIR,
    timeoutMs: config.BALLAST_JUDGE_TIMEOUT_MS,
    verdictAttempts: config.BALLAST_JUDGE_VERDICT_ATTEMPTS,
  };
}
