import kafkajs, { type LogEntry, type logCreator } from 'kafkajs';

const { logLevel: LEVEL } = kafkajs;

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export function toKafkaLogLevel(level: KafkaLogLevel): number {
  switch (level) {
    case 'nothing':
      return LEVEL.NOTHING;
    case 'error':
      return LEVEL.ERROR;
    case 'warn':
      return LEVEL.WARN;
    case 'info':
      return LEVEL.INFO;
    case 'debug':
      return LEVEL.DEBUG;
  }
}

/**
 * Fields of a kafkajs log entry that are safe to print: identifiers and error text only. kafkajs
 * never puts record values into its logs, but a whitelist keeps it that way whatever it adds later
 * (and leaves out stacks and request payloads, which are noise in production logs).
 */
const SAFE_FIELDS = [
  'groupId',
  'memberId',
  'clientId',
  'topic',
  'partition',
  'broker',
  'nodeId',
  'retryCount',
  'retryTime',
  'error',
] as const;

export type LineWriter = (line: string) => void;

const stderrWriter: LineWriter = (line) => {
  process.stderr.write(line);
};

/** One JSON object per line on stderr, as the services' own logs are. */
export function writeLogLine(write: LineWriter, entry: Record<string, unknown>): void {
  write(`${JSON.stringify(entry)}\n`);
}

/**
 * A quiet `logCreator` for kafkajs: whatever reaches it (kafkajs filters by the configured level,
 * WARN by default) becomes one JSON line on stderr with the message and a few identifying fields.
 */
export function quietLogCreator(write: LineWriter = stderrWriter): logCreator {
  return (configured) =>
    ({ namespace, label, log }: LogEntry) => {
      // kafkajs' Connection logs every protocol error response at ERROR, including the routine ones
      // (REBALANCE_IN_PROGRESS on a heartbeat, LEADER_NOT_AVAILABLE right after a topic is created).
      // Whoever sent the request handles or rethrows the error, and the Runner, Consumer, Producer and
      // retrier log what matters, so these duplicates only count at debug level.
      const routine = namespace === 'Connection' && log.message.startsWith('Response ');
      if (routine && configured < LEVEL.DEBUG) return;
      const entry: Record<string, unknown> = {
        time: log.timestamp,
        level: routine ? 'debug' : label.toLowerCase(),
        logger: 'kafkajs',
        namespace,
        msg: log.message,
      };
      for (const field of SAFE_FIELDS) {
        const value: unknown = log[field];
        if (value === undefined || value === null) continue;
        entry[field] = typeof value === 'object' ? String(value) : value;
      }
      writeLogLine(write, entry);
    };
}

/** The transport's own log: same format, `logger: ballast.kafka`. */
export interface TransportLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function transportLog(level: KafkaLogLevel, write: LineWriter = stderrWriter): TransportLog {
  const threshold = toKafkaLogLevel(level);
  const emit = (lvl: number, label: string, msg: string, fields?: Record<string, unknown>) => {
    if (lvl > threshold) return;
    writeLogLine(write, { time: new Date().toISOString(), level: label, logger: 'ballast.kafka', msg, ...fields });
  };
  return {
    warn: (msg, fields) => emit(LEVEL.WARN, 'warn', msg, fields),
    error: (msg, fields) => emit(LEVEL.ERROR, 'error', msg, fields),
  };
}

/** An error's class and message, cut short: never the record that caused it. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}
