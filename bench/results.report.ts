import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchMode, BenchPlan, ScenarioResult } from './scenario.js';

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  modes: BenchMode[];
  plan: BenchPlan;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  /** The code measured: the commit, and how many files differed from it. */
  source: { commit: string; changedFiles: number } | null;
  results: ScenarioResult[];
}

export function sourceFacts(root: string): BenchRun['source'] {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const changed = git('status', '--porcelain').split('\n').filter((l) => l.trim() && !l.includes('bench/results/')).length;
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), changedFiles: changed };
  } catch {
    return null;
  }
}

export function machineFacts(): BenchRun['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const HEAD = ['mode', 'run', 'offered/s', 'achieved/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'sent', 'lost', 'not ok', 'hit %', 'target'];

function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function row(r: ScenarioResult): string[] {
  if (r.error) return [r.mode, r.label, num(r.offeredRate), '—', '—', '—', '—', '—', '—', '—', '—', '—', `NOT RUN: ${r.error}`];
  const s = r.summary!;
  const notOk = Object.values(s.notCompleted).reduce((a, b) => a + b, 0);
  const target = r.target ? `${r.target.pass ? 'PASS' : 'FAIL'} (${r.target.text})` : '';
  return [
    r.mode,
    r.label,
    num(r.offeredRate),
    num(r.achievedRate),
    num(s.latencyMs.p50, 1),
    num(s.latencyMs.p95, 1),
    num(s.latencyMs.p99, 1),
    num(s.latencyMs.max, 1),
    num(s.sent),
    num(s.lost),
    num(notOk),
    r.cacheHitRatio === null ? '—' : num(r.cacheHitRatio * 100),
    target,
  ];
}

const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

/** The results as a fixed-width table for the terminal. */
export function textTable(results: readonly ScenarioResult[]): string {
  const rows = [HEAD, ...results.map(row)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (NUMERIC.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  const align = HEAD.map((_, i) => (NUMERIC.has(i) ? '---:' : '---'));
  return [HEAD, align, ...results.map(row)].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

/** Per-run resource use, one line per row: where the CPU went. */
export function resourceLines(results: readonly ScenarioResult[]): string[] {
  return results
    .filter((r) => !r.error && Object.keys(r.cpuPercent).length > 0)
    .map((r) => {
      const cpu = Object.entries(r.cpuPercent)
        .sort((a, b) => b[1] - a[1])
        .map(([name, pct]) => `${name} ${pct}%`)
        .join(', ');
      const elu = r.eventLoopUtilization === undefined ? '' : `; event loop busy ${Math.round(r.eventLoopUtilization * 100)}%`;
      const lag = r.eventLoopDelayMs === undefined ? '' : `, timer delay p99 ${r.eventLoopDelayMs.p99} ms / max ${r.eventLoopDelayMs.max} ms`;
      const rss = r.rssMiB === undefined ? '' : `; peak RSS ${r.rssMiB} MiB`;
      const perRequest = r.cpuMsPerRequest === undefined ? '' : `; ${r.cpuMsPerRequest} CPU-ms per request`;
      const load = r.loadAverage === undefined ? '' : `; load avg ${r.loadAverage}`;
      const stages = r.summary?.stagesMs.length
        ? `; mean ms per hop (queue+work): ${r.summary.stagesMs.map((s) => `${s.stage} ${s.queue}+${s.handle}`).join(', ')}`
        : '';
      return `${r.mode} / ${r.label}: CPU ${cpu}${perRequest}${elu}${lag}${rss}${load}${stages}`;
    });
}

export function notesLines(results: readonly ScenarioResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const s = r.summary;
    const notOk = s ? Object.entries(s.notCompleted).map(([k, v]) => `${v} ${k}`) : [];
    const bits = [...r.notes];
    if (notOk.length) bits.push(`outcomes not completed: ${notOk.join(', ')}`);
    if (s && s.duplicates) bits.push(`${s.duplicates} duplicate outcomes`);
    if (r.sentRate !== null && r.offeredRate !== null && r.sentRate < r.offeredRate * 0.95) {
      bits.push(`the generator only got ${num(r.sentRate)} req/s onto the bus (offered ${num(r.offeredRate)})`);
    }
    if (bits.length) out.push(`${r.mode} / ${r.label}: ${bits.join('; ')}`);
  }
  return out;
}

export function markdownReport(run: BenchRun): string {
  const m = run.machine;
  const resources = resourceLines(run.results);
  const notes = notesLines(run.results);
  return [
    `# Ballast bench — ${run.modes.join(' + ')}${run.plan.quick ? ' (quick)' : ''}`,
    '',
    `${run.startedAt} → ${run.finishedAt}; ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}${run.source ? `; commit ${run.source.commit}${run.source.changedFiles ? ` + ${run.source.changedFiles} changed files` : ''}` : ''}.`,
    'Latency: from the moment a request was due to be published on `ballast.requests.v1` to the moment its outcome was read from `ballast.responses.v1` (open loop, coordinated-omission corrected). Simulator at zero latency.',
    '',
    markdownTable(run.results),
    '',
    ...(resources.length ? ['Resources:', '', ...resources.map((l) => `- ${l}`), ''] : []),
    ...(notes.length ? ['Notes:', '', ...notes.map((l) => `- ${l}`), ''] : []),
  ].join('\n');
}

/** Writes `<dir>/<timestamp>-<mode>.json` and `.md`; returns the two paths. */
export async function writeResults(dir: string, run: BenchRun, modeName: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  const base = join(dir, `${stamp}-${modeName}`);
  await writeFile(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(`${base}.md`, markdownReport(run));
  return [`${base}.json`, `${base}.md`];
}
