/**
 * What the simulator can do wrong: an error status (`429` comes with `Retry-After`), `hang` (never
 * answer), `slow` (a trickle of tokens), `cut` (drop the connection mid-stream), `invalid-json`
 * (a structured answer that is not JSON) and `bad-chunk` (a stream chunk that is not JSON).
 */
export type FaultKind = 'hang' | 'slow' | 'cut' | 'invalid-json' | 'bad-chunk' | `${number}`;

export interface Fault {
  kind: FaultKind;
  /** Seconds, for 429 and 503 (default from the server options). */
  retryAfter?: number;
  /** For `cut`: the chunks sent before the connection drops. */
  after?: number;
  /** For `slow`: tokens per second. */
  tps?: number;
}

/** The header a caller sets to ask for a fault: `x-ballast-sim-fault: 429;retry-after=2;times=1`. */
export const FAULT_HEADER = 'x-ballast-sim-fault';

const KINDS = /^(hang|slow|cut|invalid-json|bad-chunk|[45]\d\d)$/;

export interface FaultRule {
  fault: Fault;
  /** Apply only to the first `times` requests that carry this exact header value. */
  times?: number;
}

/** Parses `kind[;retry-after=N][;after=N][;tps=N][;times=N][;id=...]`. */
export function parseFaultHeader(value: string): FaultRule {
  const [head, ...params] = value.split(';').map((p) => p.trim());
  if (!head || !KINDS.test(head)) throw new Error(`unknown fault "${head ?? ''}"`);
  const rule: FaultRule = { fault: { kind: head as FaultKind } };
  for (const param of params) {
    const [key, raw] = param.split('=').map((p) => p.trim());
    const n = Number(raw);
    if (key === 'id') continue; // only makes the header value unique for `times`
    if (!Number.isFinite(n) || n < 0) throw new Error(`fault parameter "${param}" needs a number`);
    if (key === 'retry-after') rule.fault.retryAfter = n;
    else if (key === 'after') rule.fault.after = n;
    else if (key === 'tps') rule.fault.tps = n;
    else if (key === 'times') rule.times = n;
    else throw new Error(`unknown fault parameter "${key}"`);
  }
  return rule;
}

/** `--faults 429=0.05,500=0.02,hang=0.01`: the share of requests that get each fault. */
export function parseFaultRates(spec: string): [FaultKind, number][] {
  if (spec.trim() === '') return [];
  const rates = spec.split(',').map((part) => {
    const [kind, rate] = part.split('=').map((p) => p.trim());
    const n = Number(rate);
    if (!kind || !KINDS.test(kind)) throw new Error(`unknown fault "${kind ?? ''}"`);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`fault rate "${part}" must be between 0 and 1`);
    return [kind as FaultKind, n] as [FaultKind, number];
  });
  const total = rates.reduce((s, [, n]) => s + n, 0);
  if (total > 1) throw new Error(`fault rates add up to ${total}, more than 1`);
  return rates;
}
