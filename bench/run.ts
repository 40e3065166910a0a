import { fileURLToPath } from 'node:url';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineFacts, notesLines, resourceLines, sourceFacts, textTable, writeResults, type BenchRun } from './results.report.js';
import { planFor, type BenchMode, type ScenarioResult } from './scenario.js';

const USAGE = `npm run bench -- [--mode embedded|distributed|judge|metrics|streaming|all] [--quick]

Drives the pipeline at fixed rates through the simulator (zero model latency) and prints achieved
rate, p50/p95/p99 end-to-end latency and lost requests. Results go to bench/results/.
  --mode     embedded (in-process, in-memory bus), distributed (six processes on Kafka + Postgres),
             judge (the judge alone, the simulator as judge model: judged responses/s, CPU-ms per judgement),
             metrics (the metrics service's record use case, history and alert engine: events/s, CPU-µs per event),
             streaming (time to first token through Ballast against the simulator alone, tokens/s, 100 streams), all (default)
  --quick    short runs (a smoke test of the bench, not figures to quote)
  --cpu-prof <dir>  write .cpuprofile files: one per measured window (embedded), one per service (distributed)
  --soak <d>        embedded only: a steady open loop for d (30m, 90s), one line per minute (req/s, p99,
                    CPU-ms per request, RSS, heap, timer lateness); passes when memory and throughput stay flat
  --soak-rate <n>   requests per second of the soak (default 300)
Distributed mode uses KAFKA_BROKERS (default 127.0.0.1:9092) and DATABASE_URL
(default postgres://ballast:ballast@127.0.0.1:5432/ballast); start them with
bash scripts/kafka.sh up && bash scripts/postgres.sh up.`;

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'all' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    soak: { type: 'string' },
    'soak-rate': { type: 'string', default: '300' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!['embedded', 'distributed', 'judge', 'metrics', 'streaming', 'all'].includes(values.mode)) {
  process.stderr.write(`bench: --mode must be embedded, distributed, judge, metrics, streaming or all (got "${values.mode}")\n\n${USAGE}\n`);
  process.exit(2);
}

const soakMs = values.soak === undefined ? null : durationMs(values.soak);
const soakRate = Number(values['soak-rate']);
if (soakMs === null && values.soak !== undefined) {
  process.stderr.write(`bench: --soak takes a duration such as 30m or 90s (got "${values.soak}")\n`);
  process.exit(2);
}
if (!Number.isInteger(soakRate) || soakRate < 1 || soakRate > 100_000) {
  process.stderr.write(`bench: --soak-rate takes requests per second from 1 to 100000 (got "${values['soak-rate']}")\n`);
  process.exit(2);
}

function durationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h']) : null;
}

// Per-request work is what is measured; Nest's start-up lines at info level are noise here.
process.env.LOG_LEVEL ??= 'warn';
const root = fileURLToPath(new URL('../..', import.meta.url));
// A soak runs embedded mode only, whatever --mode says.
const modes: Array<BenchMode | 'streaming'> =
  soakMs !== null ? ['embedded'] : values.mode === 'all' ? ['embedded', 'distributed', 'judge', 'metrics', 'streaming'] : [values.mode as BenchMode | 'streaming'];
const plan = planFor(values.quick);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const options = { log, cpuProfileDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : null };
const startedAt = new Date().toISOString();
const results: ScenarioResult[] = [];

if (soakMs !== null) {
  const { runEmbeddedSoak } = await import('./embedded.scenario.js');
  results.push(...(await runEmbeddedSoak(root, { durationMs: soakMs, ratePerSecond: soakRate, intervalMs: Math.min(60_000, soakMs) }, options)));
} else for (const mode of modes) {
  if (mode === 'streaming') {
    // Its own table and results file (bench/streaming/streaming.bench.ts): TTFT and tokens/s, not request latency.
    const { runStreaming } = await import('./streaming/streaming.bench.js');
    await runStreaming(root, plan.quick, options);
  } else if (mode === 'embedded') {
    const { runEmbedded } = await import('./embedded.scenario.js');
    results.push(...(await runEmbedded(root, plan, options)));
  } else if (mode === 'metrics') {
    const { runMetrics } = await import('./metrics/metrics.scenario.js');
    results.push(...(await runMetrics(root, plan, options)));
  } else if (mode === 'judge') {
    const { runJudge } = await import('./judge/judge.scenario.js');
    results.push(...(await runJudge(root, plan, options)));
  } else {
    const { runDistributed } = await import('./distributed.scenario.js');
    results.push(...(await runDistributed(root, plan, options)));
  }
}

if (results.length === 0) process.exit(0); // streaming alone printed and wrote its own results
const run: BenchRun = { startedAt, finishedAt: new Date().toISOString(), modes: modes.filter((m): m is BenchMode => m !== 'streaming'), plan, machine: machineFacts(), source: sourceFacts(root), results };
const m = run.machine;
const out = [
  '',
  `Ballast bench${plan.quick ? ' (quick)' : ''} — ${m.cpus} × ${m.cpuModel}, Node ${m.node}, simulator at 0 ms${run.source ? `, commit ${run.source.commit}${run.source.changedFiles ? ` + ${run.source.changedFiles} changed files` : ''}` : ''}`,
  'latency = due time of the publish on ballast.requests.v1 → outcome read from ballast.responses.v1',
  'targets: distributed p99 ≤ 50 ms with 0 lost at 500 req/s; embedded ≥ 5,000 req/s',
  '',
  textTable(results),
  '',
  ...resourceLines(results),
  ...notesLines(results).map((l) => `note: ${l}`),
  '',
];
process.stdout.write(`${out.join('\n')}\n`);
const files = await writeResults(join(root, 'bench', 'results'), run, soakMs !== null ? 'soak' : values.mode);
log(`results written to ${files.map((f) => relative(process.cwd(), f)).join(' and ')}`);
// Kafka clients and child-process handles can keep the loop alive; the bench is done.
process.exit(0);
