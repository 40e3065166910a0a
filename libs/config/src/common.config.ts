import { z } from 'zod';
import { bool, brokers, int, oneOf, port, url } from './env.fields.js';

const fetchMinBytes = () => int({ min: 1, max: 52_428_800 });
const fetchMaxWaitMs = () => int({ min: 1, max: 30_000 });

/** Variables every service reads. Spread into a service's own shape through `serviceConfig`. */
export const commonConfig = {
  /** `embedded`: all services in one process on the in-memory bus; `distributed`: Kafka. */
  BALLAST_MODE: oneOf(['embedded', 'distributed']).default('embedded'),
  KAFKA_BROKERS: brokers().optional(),
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('ballast'),
  KAFKA_PARTITIONS: int({ min: 1, max: 10_000 }).default(6),
  /** Bytes a consumer's fetch waits for, up to KAFKA_FETCH_MAX_WAIT_MS; 1 answers at once (the request path). */
  KAFKA_FETCH_MIN_BYTES: fetchMinBytes().default(1),
  KAFKA_FETCH_MAX_WAIT_MS: fetchMaxWaitMs().default(50),
  /** TLS to the brokers; on by itself when any KAFKA_TLS_*_FILE is set. The CA defaults to Node's bundle. */
  KAFKA_TLS: bool().default(false),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  /** Client certificate and key (PEM files) for mutual TLS; set both or neither. */
  KAFKA_TLS_CERT_FILE: z.string().min(1).optional(),
  KAFKA_TLS_KEY_FILE: z.string().min(1).optional(),
  /** SASL over TLS: the service's own principal. The password comes from the variable or a mounted file. */
  KAFKA_SASL_MECHANISM: oneOf(['scram-sha-512', 'scram-sha-256', 'plain']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }).optional(),
  /** A CA bundle (PEM) to verify Postgres' certificate against: TLS with verify-full (certificate chain and host name). */
  DATABASE_TLS_CA_FILE: z.string().min(1).optional(),
  /** Where embedded mode keeps PGlite and other local state. */
  BALLAST_DATA_DIR: z.string().default('.data'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({ protocols: ['http:', 'https:'] }).optional(),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The platform's port variable; `BALLAST_PORT` wins when both are set. */
  PORT: port().optional(),
  BALLAST_PORT: port().optional(),
  BALLAST_CONSUMER_CONCURRENCY: int({ min: 1, max: 1_024 }).default(256),
  BALLAST_MAX_RETRIES: int({ min: 0, max: 100 }).default(3),
  /** Idempotency records older than this are pruned; 168 h = Kafka's default log retention, so records outlive the messages they guard. */
  BALLAST_LEDGER_RETENTION_HOURS: int({ min: 1, max: 87_600 }).default(168),
  /** Mean time between prunes of the idempotency ledger (each replica, ±20% jitter). */
  BALLAST_LEDGER_PRUNE_INTERVAL_MS: int({ min: 1_000, max: 86_400_000 }).default(600_000),
  /** On SIGTERM/SIGINT, how long in-flight requests get to finish before the process stops anyway (below Kubernetes' 30 s). */
  BALLAST_SHUTDOWN_GRACE_MS: int({ min: 0, max: 3_600_000 }).default(25_000),
  BALLAST_CAPTURE_CONTENT: bool().default(false),
  BALLAST_LOG_CONTENT: bool().default(false),
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`; unset, it serves everything but per-tenant series. */
  BALLAST_METRICS_TOKEN: z.string().min(16, 'use at least 16 random characters').optional(),
  /** A metric's label set not updated for this long is dropped at the next scrape (deleted tenants, old prompt versions). */
  BALLAST_METRICS_SERIES_TTL_MS: int({ min: 60_000, max: 2_592_000_000 }).default(3_600_000),
  /** Label sets per metric; new ones past it are recorded under `other`. */
  BALLAST_METRICS_MAX_SERIES: int({ min: 100, max: 1_000_000 }).default(5_000),
};

/**
 * Fetch defaults for consumers off the request path (metrics, the judge): a fetch waits for 64 KiB
 * or 250 ms, so it, its batch and its commit carry many records; nobody waits on these stages.
 */
export const offPathConsumerConfig = {
  KAFKA_FETCH_MIN_BYTES: fetchMinBytes().default(65_536),
  KAFKA_FETCH_MAX_WAIT_MS: fetchMaxWaitMs().default(250),
};

export const DEFAULT_PORT = 8080;

type CommonShape = typeof commonConfig;

export interface ServiceConfigOptions<E extends z.ZodRawShape> {
  /** Variables that must be set when `BALLAST_MODE=distributed` (`KAFKA_BROKERS` always is). */
  requiredInDistributed?: readonly (keyof CommonShape | keyof E & string)[];
}

/**
 * The schema for one service: the common variables plus its own, with the cross-field rules
 * (Kafka brokers required in distributed mode) and `BALLAST_PORT` resolved from `BALLAST_PORT`, `PORT` or 8080.
 *
 * @example
 * export const cacheConfig = defineConfig(serviceConfig(
 *   { QDRANT_URL: url().optional(), CACHE_THRESHOLD: z.coerce.number().default(0.92) },
 *   { requiredInDistributed: ['DATABASE_URL'] },
 * ));
 */
export function serviceConfig<E extends z.ZodRawShape = Record<never, never>>(
  extra: E = {} as E,
  options: ServiceConfigOptions<E> = {},
) {
  const required = ['KAFKA_BROKERS', ...(options.requiredInDistributed ?? [])];
  return z
    .object({ ...commonConfig, ...extra } as CommonShape & E)
    .superRefine((config, ctx) => {
      const values = config as Record<string, unknown>;
      for (const [path, message] of kafkaSecurityProblems(values)) ctx.addIssue({ code: 'custom', path: [path], message });
      if (values.BALLAST_MODE !== 'distributed') return;
      for (const variable of new Set(required)) {
        if (values[variable] === undefined) {
          ctx.addIssue({ code: 'custom', path: [variable], message: 'required when BALLAST_MODE=distributed' });
        }
      }
    }, { when: () => true }) // runs even when other variables are bad, so one start-up names every problem
    .transform((config) => {
      const values = config as unknown as Record<string, unknown>;
      const resolved = (values.BALLAST_PORT ?? values.PORT ?? DEFAULT_PORT) as number;
      return { ...config, BALLAST_PORT: resolved };
    });
}

/** Kafka TLS/SASL settings that cannot work together, as [variable, one-line reason]. */
function kafkaSecurityProblems(values: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  if ((values.KAFKA_TLS_CERT_FILE === undefined) !== (values.KAFKA_TLS_KEY_FILE === undefined)) {
    problems.push([values.KAFKA_TLS_CERT_FILE === undefined ? 'KAFKA_TLS_CERT_FILE' : 'KAFKA_TLS_KEY_FILE', 'set KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE together']);
  }
  const password = values.KAFKA_SASL_PASSWORD !== undefined, file = values.KAFKA_SASL_PASSWORD_FILE !== undefined;
  if (password && file) problems.push(['KAFKA_SASL_PASSWORD_FILE', 'set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both']);
  if (values.KAFKA_SASL_USERNAME !== undefined && !password && !file) problems.push(['KAFKA_SASL_USERNAME', 'needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE']);
  if (values.KAFKA_SASL_USERNAME === undefined && (password || file)) problems.push(['KAFKA_SASL_USERNAME', 'required when a SASL password is set']);
  return problems;
}

/** The common schema alone, for tools and services with no variables of their own. */
export const commonConfigSchema = serviceConfig();
