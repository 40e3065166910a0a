import { z } from 'zod';
import {
  ConfigError,
  EX_CONFIG,
  commonConfigSchema,
  defineConfig,
  durationMs,
  int,
  loadConfig,
  loadConfigOrExit,
  offPathConsumerConfig,
  serviceConfig,
  url,
} from './index.js';

/** Runs `loadConfigOrExit` with a fake process: records stderr and the exit code instead of exiting. */
function startService(schema: Parameters<typeof loadConfigOrExit>[0], env: NodeJS.ProcessEnv) {
  let stderr = '';
  let exitCode: number | undefined;
  class Exited extends Error {}
  try {
    const config = loadConfigOrExit(schema, {
      env,
      stderr: (text) => (stderr += text),
      exit: (code) => {
        exitCode = code;
        throw new Exited();
      },
    });
    return { config, stderr, exitCode };
  } catch (error) {
    if (!(error instanceof Exited)) throw error;
    return { config: undefined, stderr, exitCode };
  }
}

describe('loadConfig', () => {
  it('fills defaults for an empty embedded-mode environment', () => {
    const config = loadConfig(commonConfigSchema, {});

    expect(config).toMatchObject({
      BALLAST_MODE: 'embedded',
      KAFKA_CLIENT_ID: 'ballast',
      KAFKA_PARTITIONS: 6,
      BALLAST_DATA_DIR: '.data',
      LOG_LEVEL: 'info',
      BALLAST_PORT: 8080,
      BALLAST_CONSUMER_CONCURRENCY: 256,
      BALLAST_MAX_RETRIES: 3,
      BALLAST_LEDGER_RETENTION_HOURS: 168,
      BALLAST_LEDGER_PRUNE_INTERVAL_MS: 600_000,
      BALLAST_CAPTURE_CONTENT: false,
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
  });

  it('parses a distributed-mode environment into typed values', () => {
    const config = loadConfig(commonConfigSchema, {
      BALLAST_MODE: 'distributed',
      KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092',
      PORT: '3000',
      BALLAST_MAX_RETRIES: '5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      UNRELATED: 'ignored',
    });

    const brokers: readonly string[] | undefined = config.KAFKA_BROKERS;
    const port: number = config.BALLAST_PORT;
    expect(brokers).toEqual(['kafka-0:9092', 'kafka-1:9092']);
    expect(port).toBe(3000);
    expect(config.BALLAST_MAX_RETRIES).toBe(5);
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('prefers BALLAST_PORT over PORT, and treats empty variables as unset', () => {
    expect(loadConfig(commonConfigSchema, { PORT: '3000', BALLAST_PORT: '9000' }).BALLAST_PORT).toBe(9000);
    expect(loadConfig(commonConfigSchema, { KAFKA_PARTITIONS: '' }).KAFKA_PARTITIONS).toBe(6);
  });

  it('returns a frozen object, arrays included', () => {
    const config = loadConfig(commonConfigSchema, { KAFKA_BROKERS: 'kafka:9092' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('names every bad variable and why in one error', () => {
    const error = captureError(() =>
      loadConfig(commonConfigSchema, { KAFKA_BROKERS: 'nope', PORT: 'http', BALLAST_MODE: 'cluster', BALLAST_CONSUMER_CONCURRENCY: '0' }),
    );

    expect(error.message).toMatch(/^Invalid environment: /);
    expect(error.message).toContain('KAFKA_BROKERS: expected comma-separated host:port list (got "nope")');
    expect(error.message).toContain('PORT: expected a port number 0-65535 (got "http")');
    expect(error.message).toContain('BALLAST_MODE: expected one of embedded, distributed (got "cluster")');
    expect(error.message).toContain('BALLAST_CONSUMER_CONCURRENCY: expected an integer from 1 to 1024 (got "0")');
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual(['BALLAST_CONSUMER_CONCURRENCY', 'BALLAST_MODE', 'KAFKA_BROKERS', 'PORT']);
  });

  it('reads the ledger retention and prune interval, and refuses values that would prune too eagerly', () => {
    const config = loadConfig(commonConfigSchema, { BALLAST_LEDGER_RETENTION_HOURS: '720', BALLAST_LEDGER_PRUNE_INTERVAL_MS: '60000' });
    expect([config.BALLAST_LEDGER_RETENTION_HOURS, config.BALLAST_LEDGER_PRUNE_INTERVAL_MS]).toEqual([720, 60_000]);

    const error = captureError(() => loadConfig(commonConfigSchema, { BALLAST_LEDGER_RETENTION_HOURS: '0', BALLAST_LEDGER_PRUNE_INTERVAL_MS: '10' }));
    expect(error.message).toContain('BALLAST_LEDGER_RETENTION_HOURS: expected an integer from 1 to 87600 (got "0")');
    expect(error.message).toContain('BALLAST_LEDGER_PRUNE_INTERVAL_MS: expected an integer from 1000 to 86400000 (got "10")');
  });

  it('requires Kafka brokers in distributed mode, even alongside other errors', () => {
    const error = captureError(() => loadConfig(commonConfigSchema, { BALLAST_MODE: 'distributed', LOG_LEVEL: 'loud' }));

    expect(error.message).toContain('KAFKA_BROKERS: required when BALLAST_MODE=distributed (not set)');
    expect(error.message).toContain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")');
  });

  it("enforces a service's own variables and its distributed-mode requirements", () => {
    const schema = serviceConfig(
      { CACHE_TTL: durationMs().default(3_600_000), QDRANT_URL: url().optional(), CACHE_TOP_K: int({ min: 1 }).default(5) },
      { requiredInDistributed: ['DATABASE_URL'] },
    );
    expect(loadConfig(schema, { CACHE_TTL: '10m' }).CACHE_TTL).toBe(600_000);

    const error = captureError(() => loadConfig(schema, { BALLAST_MODE: 'distributed', KAFKA_BROKERS: 'kafka:9092', CACHE_TTL: 'forever' }));
    expect(error.message).toContain('DATABASE_URL: required when BALLAST_MODE=distributed (not set)');
    expect(error.message).toContain('CACHE_TTL: expected a duration');
  });

  it('reports a missing required variable as not set', () => {
    const error = captureError(() => loadConfig(z.object({ JUDGE_MODEL: z.string() }), {}));
    expect(error.message).toBe('Invalid environment: JUDGE_MODEL: required (not set)');
  });

  it('never echoes credentials back', () => {
    const schema = z.object({ DATABASE_URL: url({ protocols: ['postgres:'] }), OPENAI_API_KEY: z.string().regex(/^sk-/) });
    const error = captureError(() => loadConfig(schema, { DATABASE_URL: 'mysql://ballast:hunter2@db/x', OPENAI_API_KEY: 'pk-live-secret' }));

    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('pk-live-secret');
    expect(error.message).toContain('DATABASE_URL: expected a postgres: URL (got "mysql://ballast:***@db/x")');
    expect(error.message).toContain('OPENAI_API_KEY:');
  });
});

describe('defineConfig', () => {
  it('parses the environment once and serves the same object afterwards', () => {
    const env = { KAFKA_PARTITIONS: '12' };
    const definition = defineConfig(commonConfigSchema);

    const first = definition.load(env);
    env.KAFKA_PARTITIONS = 'not a number';

    expect(definition.load(env)).toBe(first);
    expect(definition.loadOrExit({ env })).toBe(first);
    expect(first.KAFKA_PARTITIONS).toBe(12);
  });
});

describe('loadConfigOrExit', () => {
  it('stops a service at start-up with exit code 78 and a message naming the variable', () => {
    const started = startService(commonConfigSchema, { BALLAST_MODE: 'distributed', KAFKA_BROKERS: 'localhost' });

    expect(started.config).toBeUndefined();
    expect(started.exitCode).toBe(EX_CONFIG);
    expect(EX_CONFIG).toBe(78);
    expect(started.stderr).toBe('Invalid environment: KAFKA_BROKERS: expected comma-separated host:port list (got "localhost")\n');
  });

  it('lets a good environment through without writing anything', () => {
    const started = startService(commonConfigSchema, { BALLAST_PORT: '0' });

    expect(started).toEqual({ config: expect.objectContaining({ BALLAST_PORT: 0 }), stderr: '', exitCode: undefined });
  });
});

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('fetch settings', () => {
  it('answer fetches at once on the request path, and gather records off it, both overridable', () => {
    expect(loadConfig(commonConfigSchema, {})).toMatchObject({ KAFKA_FETCH_MIN_BYTES: 1, KAFKA_FETCH_MAX_WAIT_MS: 50 });
    const offPath = serviceConfig(offPathConsumerConfig);
    expect(loadConfig(offPath, {})).toMatchObject({ KAFKA_FETCH_MIN_BYTES: 65_536, KAFKA_FETCH_MAX_WAIT_MS: 250 });
    expect(loadConfig(offPath, { KAFKA_FETCH_MIN_BYTES: '1', KAFKA_FETCH_MAX_WAIT_MS: '20' })).toMatchObject({ KAFKA_FETCH_MIN_BYTES: 1, KAFKA_FETCH_MAX_WAIT_MS: 20 });
  });
});
