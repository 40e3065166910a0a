import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far; null once it is gone or on a system without /proc. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

/** Pids whose command line or name passes `test` (a read-only look at /proc, to attribute CPU to Kafka and Postgres). */
export function pidsMatching(test: (cmdline: string, comm: string) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    try {
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const comm = readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if (test(cmdline, comm)) pids.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Named groups of processes; `sample()` then `since()` gives CPU percent of one core per group over the window. */
export class CpuSampler {
  constructor(private readonly groups: () => Record<string, number[]>) {}

  /** CPU seconds per pid, per group. Per pid, so a process that ends during the window does not make a group's use negative. */
  sample(): { at: number; cpu: Record<string, Map<number, number>> } {
    const cpu: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(this.groups())) {
      const byPid = new Map<number, number>();
      for (const pid of pids) {
        const used = cpuSecondsOf(pid);
        if (used !== null) byPid.set(pid, used);
      }
      cpu[name] = byPid;
    }
    return { at: performance.now(), cpu };
  }

  /**
   * Percent of one core per group, and total CPU seconds of the groups named in `count`. A process
   * that started during the window counts from zero; one that ended during it is missed.
   */
  since(start: ReturnType<CpuSampler['sample']>, count: (name: string) => boolean) {
    const end = this.sample();
    const wall = (end.at - start.at) / 1000;
    const percent: Record<string, number> = {};
    let seconds = 0;
    for (const [name, byPid] of Object.entries(end.cpu)) {
      let used = 0;
      for (const [pid, value] of byPid) used += Math.max(0, value - (start.cpu[name]?.get(pid) ?? 0));
      percent[name] = Math.round((used / wall) * 100);
      if (count(name)) seconds += used;
    }
    return { percent, seconds };
  }
}
