import { createServer } from 'node:net';

/** Exit status when the HTTP port is taken: a configuration problem (sysexits.h EX_CONFIG, as for bad variables). */
export const EX_PORT_IN_USE = 78;

/** The one line a person sees when the port is taken. */
export function portInUseMessage(port: number): string {
  return `Ballast: port ${port} is in use; set BALLAST_PORT to another port`;
}

export function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/** Resolves true when `port` can be bound on `host` right now (port 0 always can). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => (isAddressInUse(error) ? resolve(false) : reject(error)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * For `main.ts`: prints `portInUseMessage` to stderr and exits when the port is taken, before
 * anything slow starts. `listen` can still lose a race for the port; catch that with `isAddressInUse`.
 */
export async function exitIfPortInUse(port: number, host: string): Promise<void> {
  if (await portIsFree(port, host)) return;
  process.stderr.write(`${portInUseMessage(port)}\n`);
  process.exit(EX_PORT_IN_USE);
}
