import { AsyncLocalStorage } from 'node:async_hooks';

/** Identifiers every log line written while handling one request carries. */
export interface LogContext {
  requestId?: string;
  tenantId?: string;
  stage?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `fn` with `fields` added to every log line it writes (nested calls merge with the outer context).
 *
 * @example
 * await withLogContext({ requestId: envelope.requestId, tenantId: envelope.tenantId }, () => handle(envelope));
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** The log context of the current async call chain, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
