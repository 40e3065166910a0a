import type { z } from 'zod';

/** Exit status for a configuration error (sysexits.h EX_CONFIG). */
export const EX_CONFIG = 78;

/** A schema over environment variables: keys are variable names. */
export type EnvSchema = z.ZodType<object>;

/** The parsed configuration: typed and frozen (arrays too). */
export type Config<S extends EnvSchema> = Readonly<z.output<S>>;

/** One bad variable and what is wrong with it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * Thrown when the environment does not match the schema. The message names every bad variable:
 * `Invalid environment: KAFKA_BROKERS: expected comma-separated host:port list (got "nope")`.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(`Invalid environment: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` against `schema` into a frozen object; throws `ConfigError` listing every problem.
 * Empty variables count as unset, so `FOO=` falls back to the default.
 */
export function loadConfig<S extends EnvSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): Config<S> {
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => describe(issue, input)));
  return deepFreeze(result.data) as Config<S>;
}

export interface ExitIo {
  env?: NodeJS.ProcessEnv;
  /** Defaults to `process.exit`. */
  exit?: (code: number) => never;
  /** Defaults to writing to `process.stderr`. */
  stderr?: (text: string) => void;
}

/**
 * For `main.ts`: returns the config, or prints the `ConfigError` message to stderr and exits with 78
 * so a bad deployment stops at start-up with the variable named.
 */
export function loadConfigOrExit<S extends EnvSchema>(schema: S, io: ExitIo = {}): Config<S> {
  try {
    return loadConfig(schema, io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    (io.stderr ?? ((text) => process.stderr.write(text)))(`${error.message}\n`);
    return (io.exit ?? process.exit)(EX_CONFIG);
  }
}

/** A service's configuration: parsed once per environment object, then served from memory. */
export interface ConfigDefinition<S extends EnvSchema> {
  readonly schema: S;
  /** Parses on first call (throws `ConfigError`); later calls with the same `env` return the same object. */
  load(env?: NodeJS.ProcessEnv): Config<S>;
  /** `load`, but prints the problem and exits 78 instead of throwing. */
  loadOrExit(io?: ExitIo): Config<S>;
}

/**
 * Declares a service's configuration once, in `<service>.config.ts`.
 *
 * @example
 * export const ingressConfig = defineConfig(serviceConfig({ INGRESS_MAX_BODY_BYTES: int({ min: 1 }).default(1_000_000) }));
 * const config = ingressConfig.loadOrExit(); // in main.ts
 */
export function defineConfig<S extends EnvSchema>(schema: S): ConfigDefinition<S> {
  const cache = new WeakMap<NodeJS.ProcessEnv, Config<S>>();
  const load = (env: NodeJS.ProcessEnv = process.env): Config<S> => {
    let config = cache.get(env);
    if (config === undefined) {
      config = loadConfig(schema, env);
      cache.set(env, config);
    }
    return config;
  };
  return {
    schema,
    load,
    loadOrExit: (io = {}) => {
      const env = io.env ?? process.env;
      return cache.get(env) ?? loadConfigOrExit(schema, { ...io, env });
    },
  };
}

// Values of these variables are never echoed back, even when invalid.
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|API_KEY|ADMIN_KEY|CREDENTIAL|PRIVATE/i;

function describe(issue: z.core.$ZodIssue, input: Record<string, string | undefined>): ConfigProblem {
  const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
  const raw = issue.path.length === 1 ? input[String(issue.path[0])] : undefined;
  if (raw === undefined) {
    const message = issue.code === 'invalid_type' ? 'required' : issue.message;
    return { variable, message: `${message} (not set)` };
  }
  return { variable, message: `${issue.message} (got ${shown(variable, raw)})` };
}

function shown(variable: string, raw: string): string {
  if (SECRET_NAME.test(variable)) return 'a value not shown because it may be secret';
  const masked = raw.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
  return JSON.stringify(masked.length > 80 ? `${masked.slice(0, 77)}...` : masked);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
