/**
 * A latency (or speed) distribution: `50` (fixed), `uniform:20,80`, `normal:50,10` (mean, standard
 * deviation) or `lognormal:50,400` (median, 99th percentile — the long tail real providers have).
 */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; median: number; p99: number };

const Z99 = 2.3263478740408408;

export function parseDistribution(spec: string): Distribution {
  const text = spec.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return { kind: 'fixed', value: Number(text) };
  const match = /^(uniform|normal|lognormal):(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(text);
  if (!match) throw new Error(`"${spec}" is not a distribution: use 50, uniform:20,80, normal:50,10 or lognormal:50,400`);
  const a = Number(match[2]);
  const b = Number(match[3]);
  switch (match[1]) {
    case 'uniform':
      if (b < a) throw new Error(`uniform:${a},${b}: the maximum is below the minimum`);
      return { kind: 'uniform', min: a, max: b };
    case 'normal':
      return { kind: 'normal', mean: a, sd: b };
    default:
      if (a <= 0 || b < a) throw new Error(`lognormal:${a},${b}: needs 0 < median <= p99`);
      return { kind: 'lognormal', median: a, p99: b };
  }
}

/** One draw, never negative. */
export function sample(d: Distribution, random: () => number): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + random() * (d.max - d.min);
    case 'normal':
      return Math.max(0, d.mean + d.sd * gaussian(random));
    case 'lognormal': {
      const mu = Math.log(d.median);
      const sigma = (Math.log(d.p99) - mu) / Z99;
      return Math.exp(mu + sigma * gaussian(random));
    }
  }
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

