/**
 * `npm run bench:limits`: what tenant limits cost per request and how closely replicas hold them.
 *
 *   1. Overhead: the tenant guard (key look-up + TenantRateLimiter) in embedded mode (PGlite, leases
 *      in the background), for a tenant with every limit set against one with none, at a paced
 *      BENCH_LIMITS_RATE requests/s (default 1500) for BENCH_LIMITS_SECONDS (default 10).
 *   2. Accuracy: three limiters (three ingress replicas' worth) sharing the PGlite database, offered
 *      three times a token bucket's rate for the same time: admitted against burst + rate × time.
 *
 * Across real replicas (Kafka + Postgres) the same figures come from
 * test/tenant-limits-replicas.infra-spec.ts, which prints them.
 */
import type { ExecutionContext } from '@nestjs/common';
import { openDataSource, startEmbeddedPostgres, TypeormTenantRepository } from '#persistence';
import { TenantGuard, TenantKeys } from '../../services/ingress/src/http/tenant.guard.js';
import { TenantRateLimiter } from '../../services/ingress/src/limits/tenant-rate.limiter.js';

const RATE = Number(process.env['BENCH_LIMITS_RATE'] ?? 1500);
const SECONDS = Number(process.env['BENCH_LIMITS_SECONDS'] ?? 10);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(4)} ms`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

function context(key: string): ExecutionContext {
  const req = { headers: { authorization: `Bearer ${key}` } };
  const reply = { header: () => reply };
  return { switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }) } as unknown as ExecutionContext;
}

/** Calls `call` at `rate` per second for `seconds`, timing each; returns sorted latencies and CPU-ms per call. */
async function paced(rate: number, seconds: number, call: () => Promise<unknown>) {
  const latencies: number[] = [];
  const total = Math.round(rate * seconds);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const t = performance.now();
    await call();
    latencies.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  return { sorted: latencies.sort((a, b) => a - b), cpuMsPerCall: (used.user + used.system) / 1000 / total };
}

const pg = await startEmbeddedPostgres();
const ds = await openDataSource({ url: pg.url, poolSize: pg.maxConnections });
try {
  const tenants = new TypeormTenantRepository(ds);
  await tenants.upsertTenant({ id: 'open', name: 'No limits' });
  await tenants.upsertTenant({
    id: 'limited',
    name: 'Every limit',
    quotas: { requestsPerSecond: RATE * 2, requestBurst: RATE * 2, requestsPerMinute: RATE * 600, tokensPerMinute: 1e9, usdPerDay: 1e6, usdPerMonth: 1e7 },
  });
  await tenants.createApiKey('open', 'bk_bench_open_0123456789');
  await tenants.createApiKey('limited', 'bk_bench_limited_0123456789');

  const guard = new TenantGuard(new TenantKeys({ tenants }), new TenantRateLimiter(tenants));
  const rows: string[][] = [];
  for (const [name, key] of [
    ['no limits (key look-up only)', 'bk_bench_open_0123456789'],
    ['every limit (rps+burst, rpm, tpm, usd/day, usd/month)', 'bk_bench_limited_0123456789'],
  ] as const) {
    await guard.canActivate(context(key)); // the key's first look-up reads PGlite
    const { sorted, cpuMsPerCall } = await paced(RATE, SECONDS, () => guard.canActivate(context(key)));
    rows.push([name, String(sorted.length), ms(quantile(sorted, 0.5)), ms(quantile(sorted, 0.99)), ms(quantile(sorted, 0.999)), ms(sorted.at(-1)!), cpuMsPerCall.toFixed(4)]);
  }
  table(`tenant guard per request, embedded (PGlite), paced at ${RATE}/s for ${SECONDS} s`, ['tenant', 'n', 'p50', 'p99', 'p99.9', 'max', 'CPU-ms/req'], rows);

  const rate = 100;
  const burst = 200;
  await tenants.upsertTenant({ id: 'shared', name: 'Shared bucket', quotas: { requestsPerSecond: rate, requestBurst: burst } });
  const limiters = [0, 1, 2].map(() => new TenantRateLimiter(tenants));
  const tenant = (await tenants.findTenant('shared'))!;
  let admitted = 0;
  const offered = rate * 3;
  const started = performance.now();
  await Promise.all(
    limiters.map(async (limiter) => {
      const { sorted } = await paced(offered / 3, SECONDS, async () => {
        if ((await limiter.admit(tenant))?.allowed) admitted++;
      });
      return sorted;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const allowed = burst + rate * elapsed;
  table(
    `token bucket shared by 3 limiters on one PGlite (${rate}/s, burst ${burst}, offered ${offered}/s for ${elapsed.toFixed(1)} s)`,
    ['admitted', 'allowed (burst + rate × time)', 'admitted / allowed'],
    [[String(admitted), allowed.toFixed(0), `${((admitted / allowed) * 100).toFixed(1)} %`]],
  );
} finally {
  await ds.destroy();
  await pg.stop();
}
