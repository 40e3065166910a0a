/** A readiness probe: resolve `true` when ready; `false` or a throw means not ready. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

const checks = new Map<string, ReadinessCheck>();

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Registers a check that `GET /health/ready` runs; the service is ready only when all pass.
 * Registering a name again replaces the check. Returns a function that removes it.
 *
 * @example
 * registerReadinessCheck('ingress.kafka', () => consumer.isRunning());
 */
export function registerReadinessCheck(name: string, check: ReadinessCheck): () => void {
  checks.set(name, check);
  return () => {
    if (checks.get(name) === check) checks.delete(name);
  };
}

/** Runs every registered check concurrently. With none registered the process is ready. */
export async function checkReadiness(): Promise<ReadinessReport> {
  const results = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
  );
  return { ready: results.every(([, result]) => result.ok), checks: Object.fromEntries(results) };
}

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    const ok = await Promise.race([Promise.resolve().then(check), timeout]);
    return ok ? { ok: true } : { ok: false };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
