import { ConfigError, EX_CONFIG, bool, int, loadConfig, serviceConfig, type Config, type ConfigProblem, type EnvSchema, type ExitIo } from '#config';
import { z } from 'zod';
import { cacheConfig } from '../../../services/cache/src/cache.config.js';
import { guardrailConfig } from '../../../services/guardrail/src/guardrail.config.js';
import { inferenceConfig, providerSpecs } from '../../../services/inference/src/inference.config.js';
import { ingressConfig } from '../../../services/ingress/src/ingress.config.js';
import { judgeConfig } from '../../../services/judge/src/judge.config.js';
import { metricsConfig } from '../../../services/metrics/src/metrics.config.js';

/** Variables only the one-process app reads. */
export const embeddedAppSchema = serviceConfig({
  BALLAST_API_KEY: z.string().min(1).default('dev-key'),
  BALLAST_HOST: z.string().default('127.0.0.1'),
  BALLAST_PROMPTS_DIR: z.string().default('prompts'),
  // Six stages share one event loop here, so fewer messages in flight per stage: 256 each
  // (the distributed default) only adds garbage and queueing without adding throughput.
  BALLAST_CONSUMER_CONCURRENCY: int({ min: 1, max: 1_024 }).default(64),
  // Records the in-memory bus keeps per partition after every consumer committed them (for
  // inspection); memory holds at most twice this per partition and topic, whatever the traffic.
  BALLAST_BUS_RETAIN_RECORDS: int({ min: 0, max: 100_000 }).default(200),
  // Ledger records (claims, outcomes, per-stage records) held in memory; durable ones that leave it are read from PGlite.
  BALLAST_LEDGER_MEMORY_ENTRIES: int({ min: 100, max: 10_000_000 }).default(20_000),
  // Checks every in-process hand-off against its bytes' decoding (the unit tests turn it on).
  BALLAST_BUS_VERIFY: bool().default(false),
});

/** Every stage's own schema: embedded mode parses each from the one environment, as its distributed service does. */
export const EMBEDDED_SCHEMAS = {
  app: embeddedAppSchema,
  ingress: ingressConfig.schema,
  guardrail: guardrailConfig.schema,
  cache: cacheConfig.schema,
  inference: inferenceConfig.schema,
  judge: judgeConfig.schema,
  metrics: metricsConfig.schema,
} as const satisfies Record<string, EnvSchema>;

export type EmbeddedConfig = { readonly [K in keyof typeof EMBEDDED_SCHEMAS]: Config<(typeof EMBEDDED_SCHEMAS)[K]> };

/**
 * Variables in the schemas above that embedded mode has no use for: it has no Kafka, runs its own
 * PGlite instead of `DATABASE_URL`, and names its ingress replicas itself.
 */
export const EMBEDDED_UNUSED_VARIABLES: readonly string[] = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_PARTITIONS',
  'KAFKA_FETCH_MIN_BYTES',
  'KAFKA_FETCH_MAX_WAIT_MS',
  'KAFKA_TLS',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'DATABASE_URL',
  'DATABASE_TLS_CA_FILE',
  'INGRESS_INSTANCE_ID',
];

/**
 * Parses every stage's configuration from `env`; throws one `ConfigError` naming every bad variable
 * (including API-key variables that `INFERENCE_PROVIDERS` names and that are not set).
 */
export function loadEmbeddedConfig(env: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  const problems = new Map<string, ConfigProblem>();
  const parsed: Partial<Record<keyof EmbeddedConfig, unknown>> = {};
  const note = (error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) problems.set(`${problem.variable}\0${problem.message}`, problem);
  };
  for (const [name, schema] of Object.entries(EMBEDDED_SCHEMAS) as [keyof EmbeddedConfig, EnvSchema][]) {
    try {
      parsed[name] = loadConfig(schema, env);
    } catch (error) {
      note(error);
    }
  }
  if (parsed.inference) {
    try {
      providerSpecs(parsed.inference as EmbeddedConfig['inference'], env);
    } catch (error) {
      note(error);
    }
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()]);
  return Object.freeze(parsed) as EmbeddedConfig;
}

/** For `main.ts`: the configuration, or the problem on stderr and exit 78. */
export function loadEmbeddedConfigOrExit(io: ExitIo = {}): EmbeddedConfig {
  try {
    return loadEmbeddedConfig(io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    (io.stderr ?? ((text) => process.stderr.write(text)))(`${error.message}\n`);
    return (io.exit ?? process.exit)(EX_CONFIG);
  }
}
