import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentLogContext } from './log-context.js';
import { observabilitySettings } from './observability.settings.js';
import { activeTraceIds } from './trace-context.js';

export type { Logger };

/** Keys whose values are prompt or completion content. */
export const CONTENT_KEYS = ['content', 'messages', 'variables', 'prompt', 'completion', 'text'] as const;
/** Keys whose values are credentials; redacted even when content logging is on. */
export const SECRET_KEYS = ['apiKey', 'authorization', 'password', 'cookie'] as const;

export const REDACTED = '[redacted]';

// Redaction paths are fixed at construction; four levels covers envelope.payload.request.* nesting.
const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

export interface LoggerFactoryOptions {
  service: string;
  /** Defaults to the configured `LOG_LEVEL` (see `configureObservability`), else `info`. */
  level?: string;
  /** Defaults to the configured `BALLAST_LOG_CONTENT`, else off. */
  logContent?: boolean;
  /** Defaults to stdout; tests pass a stream to capture lines. */
  destination?: DestinationStream;
}

/**
 * A JSON logger with `service`, the current `requestId`/`tenantId` (see `withLogContext`) and the
 * active `traceId`/`spanId` on every line. Content fields are `[redacted]` unless
 * `BALLAST_LOG_CONTENT` is on; credentials always are.
 */
export function createLogger(options: LoggerFactoryOptions): Logger {
  const settings = observabilitySettings();
  const logContent = options.logContent ?? settings.logContent;
  const keys = logContent ? [...SECRET_KEYS] : [...SECRET_KEYS, ...CONTENT_KEYS];
  const config: LoggerOptions = {
    level: options.level ?? settings.logLevel,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactionPaths(keys), censor: REDACTED },
    mixin: logMixin,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

function redactionPaths(keys: readonly string[]): string[] {
  const paths = DEPTHS.flatMap((prefix) => keys.map((key) => `${prefix}${key}`));
  return [...paths, 'headers["x-api-key"]', '*.headers["x-api-key"]'];
}

function logMixin(): Record<string, string> {
  const fields: Record<string, string> = {};
  const logContext = currentLogContext();
  if (logContext?.requestId) fields.requestId = logContext.requestId;
  if (logContext?.tenantId) fields.tenantId = logContext.tenantId;
  if (logContext?.stage) fields.stage = logContext.stage;
  const ids = activeTraceIds();
  if (ids) {
    fields.traceId = ids.traceId;
    fields.spanId = ids.spanId;
  }
  return fields;
}
