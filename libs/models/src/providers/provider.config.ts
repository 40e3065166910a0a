import { ConfigError, url } from '#config';
import { z } from 'zod';

const headerMap = z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), z.string());

/** One entry of `INFERENCE_PROVIDERS`. Keys are never inline: `apiKeyEnv` names the variable that holds one. */
export const ProviderSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, _ . -'),
    type: z.enum(['openai', 'anthropic', 'simulator']),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').optional(),
    headers: headerMap.optional(),
    query: z.record(z.string(), z.string()).optional(),
    /** Models served: exact names, `prefix*`, or `*`. */
    models: z.array(z.string().min(1)).min(1).optional(),
    /** `gen_ai.provider.name` (`azure.ai.openai`, `vllm`, ...). */
    system: z.string().min(1).optional(),
    structuredOutput: z.enum(['json_schema', 'json_object', 'instruct']).optional(),
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    streamUsage: z.boolean().optional(),
    maxConcurrent: z.number().int().positive().max(100_000).optional(),
  })
  .strict();
export type ProviderSpec = z.infer<typeof ProviderSpec> & { apiKey?: string };

export const ModelPriceSpec = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative(), cachedInput: z.number().nonnegative(), cacheWrite: z.number().nonnegative().optional() }).strict();

export function json<T extends z.ZodType>(schema: T, expected: string) {
  return z.string().transform((raw, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected ${expected} as JSON` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', message: `expected ${expected}: ${issue.path.join('.') || '(root)'}: ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}

export function fraction() {
  return z.string().transform((raw, ctx) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 1) {
      ctx.addIssue({ code: 'custom', message: 'expected a number above 0 and at most 1' });
      return z.NEVER;
    }
    return value;
  });
}

/** `INFERENCE_FALLBACK_MODELS`: `{"gpt-4o": ["gpt-4o-mini"], "*": ["sim-1"]}`, or `a,b` as the chain for every model. */
function fallbackTable() {
  return z.string().transform((raw, ctx): Record<string, string[]> => {
    if (!raw.trim().startsWith('{')) return { '*': raw.split(',').map((m) => m.trim()).filter(Boolean) };
    try {
      const parsed = z.record(z.string(), z.array(z.string().min(1))).safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected a comma-separated model list or a JSON object of model → [fallback models]' });
    return z.NEVER;
  });
}

/**
 * The environment variables that configure providers, routing and prices: read by every stage that
 * calls models (inference, and the judge for its own calls), so both reach the same providers.
 */
export const providerConfigFields = {
  INFERENCE_PROVIDERS: json(z.array(ProviderSpec), 'an array of providers').optional(),
  OPENAI_BASE_URL: url({ protocols: ['http:', 'https:'] }).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: url({ protocols: ['http:', 'https:'] }).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  /** Explicit model → provider name (patterns allowed), checked before the providers' own model lists. */
  INFERENCE_MODEL_ROUTES: json(z.record(z.string(), z.string()), 'an object of model → provider name').optional(),
  INFERENCE_FALLBACK_MODELS: fallbackTable().optional(),
  INFERENCE_PRICES: json(z.record(z.string(), ModelPriceSpec), 'an object of model → {input, output, cachedInput[, cacheWrite]} USD per million tokens').optional(),
};

/** The parsed provider fields, as any config that spreads `providerConfigFields` has them. */
export interface ProviderConfig {
  INFERENCE_PROVIDERS?: z.infer<typeof ProviderSpec>[] | undefined;
  OPENAI_BASE_URL?: string | undefined;
  OPENAI_API_KEY?: string | undefined;
  ANTHROPIC_BASE_URL?: string | undefined;
  ANTHROPIC_API_KEY?: string | undefined;
}

/**
 * The providers in routing order: the simulator (`sim-*`), `INFERENCE_PROVIDERS`, then the
 * `ANTHROPIC_API_KEY` (`claude-*`) and `OPENAI_API_KEY`/`OPENAI_BASE_URL` (any other model)
 * shortcuts. Keys named by `apiKeyEnv` are read from `env` here, once; a missing one fails start-up.
 */
export function providerSpecs(config: ProviderConfig, env: NodeJS.ProcessEnv = process.env): ProviderSpec[] {
  const specs: ProviderSpec[] = [];
  const named = new Set((config.INFERENCE_PROVIDERS ?? []).map((p) => p.name));
  if (!named.has('simulator')) specs.push({ name: 'simulator', type: 'simulator', models: ['sim-*'] });
  const problems: { variable: string; message: string }[] = [];
  for (const spec of config.INFERENCE_PROVIDERS ?? []) {
    const apiKey = spec.apiKeyEnv ? env[spec.apiKeyEnv] : undefined;
    if (spec.apiKeyEnv && !apiKey) problems.push({ variable: spec.apiKeyEnv, message: `required by provider "${spec.name}" (not set)` });
    if (spec.type === 'openai' && !spec.baseUrl) problems.push({ variable: 'INFERENCE_PROVIDERS', message: `provider "${spec.name}" needs a baseUrl` });
    if (spec.type === 'anthropic' && !apiKey) problems.push({ variable: 'INFERENCE_PROVIDERS', message: `provider "${spec.name}" needs apiKeyEnv` });
    specs.push({ ...spec, ...(apiKey ? { apiKey } : {}) });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (config.ANTHROPIC_API_KEY && !named.has('anthropic')) {
    specs.push({ name: 'anthropic', type: 'anthropic', apiKey: config.ANTHROPIC_API_KEY, models: ['claude-*'], ...(config.ANTHROPIC_BASE_URL ? { baseUrl: config.ANTHROPIC_BASE_URL } : {}) });
  }
  if ((config.OPENAI_API_KEY || config.OPENAI_BASE_URL) && !named.has('openai')) {
    const baseUrl = config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    specs.push({
      name: 'openai',
      type: 'openai',
      baseUrl,
      models: ['*'],
      ...(config.OPENAI_API_KEY ? { apiKey: config.OPENAI_API_KEY } : {}),
      ...(new URL(baseUrl).hostname === 'api.openai.com' ? { maxTokensField: 'max_completion_tokens' as const } : {}),
    });
  }
  return specs;
}
