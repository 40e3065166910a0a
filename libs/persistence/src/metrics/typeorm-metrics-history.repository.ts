import type { DataSource } from 'typeorm';
import type { DeadLetterMinuteRow, MetricsHistoryRepository, MetricsMinuteRow, StoredMetricsHistory } from './metrics-history.repository.js';

const COLUMNS = [
  'minute', 'writer', 'tenant', 'prompt', 'version', 'model',
  'requests_completed', 'requests_blocked', 'requests_failed', 'input_tokens', 'output_tokens', 'cost_usd',
  'latency_ms', 'ttft_ms', 'cache_lookups', 'cache_hits', 'verdicts_pass', 'verdicts_redact', 'verdicts_block',
  'quality_n', 'quality_sum', 'quality_sum_sq',
] as const;
const KEY = new Set(['minute', 'writer', 'tenant', 'prompt', 'version', 'model']);
/** Rows per statement: well under Postgres's 65,535 parameters. */
const CHUNK = 500;

const UPSERT_MINUTES = (rows: number): string =>
  `INSERT INTO metrics_minutes (${COLUMNS.join(', ')}) VALUES ${placeholders(rows, COLUMNS.length)}
   ON CONFLICT (minute, writer, tenant, prompt, version, model) DO UPDATE SET
   ${COLUMNS.filter((c) => !KEY.has(c)).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = clock_timestamp()`;

const UPSERT_DEAD_LETTERS = (rows: number): string =>
  `INSERT INTO metrics_dead_letters (minute, writer, count) VALUES ${placeholders(rows, 3)}
   ON CONFLICT (minute, writer) DO UPDATE SET count = EXCLUDED.count, updated_at = clock_timestamp()`;

function placeholders(rows: number, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`);
  return out.join(', ');
}

const valuesOf = (r: MetricsMinuteRow): unknown[] => [
  r.minute, r.writer, r.tenant, r.prompt, r.version, r.model,
  r.requests.completed, r.requests.blocked, r.requests.failed, r.tokens.input, r.tokens.output, r.costUsd,
  r.latencyMs, r.ttftMs, r.cache.lookups, r.cache.hits, r.verdicts.pass, r.verdicts.redact, r.verdicts.block,
  r.quality.n, r.quality.sum, r.quality.sumSq,
];

type Raw = Record<(typeof COLUMNS)[number] | 'updated_at', unknown>;
const n = (v: unknown): number => Number(v);
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function rowOf(r: Raw): MetricsMinuteRow {
  return {
    minute: date(r.minute),
    writer: String(r.writer),
    tenant: String(r.tenant),
    prompt: String(r.prompt),
    version: String(r.version),
    model: String(r.model),
    requests: { completed: n(r.requests_completed), blocked: n(r.requests_blocked), failed: n(r.requests_failed) },
    tokens: { input: n(r.input_tokens), output: n(r.output_tokens) },
    costUsd: n(r.cost_usd),
    latencyMs: r.latency_ms === null ? null : String(r.latency_ms),
    ttftMs: r.ttft_ms === null ? null : String(r.ttft_ms),
    cache: { lookups: n(r.cache_lookups), hits: n(r.cache_hits) },
    verdicts: { pass: n(r.verdicts_pass), redact: n(r.verdicts_redact), block: n(r.verdicts_block) },
    quality: { n: n(r.quality_n), sum: n(r.quality_sum), sumSq: n(r.quality_sum_sq) },
  };
}

/** The metrics roll-up in Postgres (or PGlite): `metrics_minutes` and `metrics_dead_letters`. */
export class TypeormMetricsHistoryRepository implements MetricsHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async write(rows: readonly MetricsMinuteRow[], deadLetters: readonly DeadLetterMinuteRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      await this.dataSource.query(UPSERT_MINUTES(chunk.length), chunk.flatMap(valuesOf));
    }
    for (let i = 0; i < deadLetters.length; i += CHUNK) {
      const chunk = deadLetters.slice(i, i + CHUNK);
      await this.dataSource.query(UPSERT_DEAD_LETTERS(chunk.length), chunk.flatMap((d) => [d.minute, d.writer, d.count]));
    }
  }

  async load(options: { since: Date; changedSince?: Date }): Promise<StoredMetricsHistory> {
    const params: unknown[] = [options.since];
    const changed = options.changedSince ? ` AND updated_at >= $${params.push(options.changedSince)}` : '';
    const rows = (await this.dataSource.query(`SELECT *, updated_at FROM metrics_minutes WHERE minute >= $1${changed} ORDER BY minute`, params)) as Raw[];
    const dead = (await this.dataSource.query(`SELECT minute, writer, count, updated_at FROM metrics_dead_letters WHERE minute >= $1${changed} ORDER BY minute`, params)) as {
      minute: unknown;
      writer: string;
      count: unknown;
      updated_at: unknown;
    }[];
    let latest: number | null = null;
    for (const r of [...rows, ...dead]) latest = Math.max(latest ?? 0, date(r.updated_at).getTime());
    return {
      rows: rows.map(rowOf),
      deadLetters: dead.map((d) => ({ minute: date(d.minute), writer: d.writer, count: n(d.count) })),
      latestChange: latest === null ? null : new Date(latest),
    };
  }

  async deleteBefore(before: Date): Promise<number> {
    let deleted = 0;
    for (const table of ['metrics_minutes', 'metrics_dead_letters']) {
      const [row] = (await this.dataSource.query(`WITH d AS (DELETE FROM ${table} WHERE minute < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [before])) as { n: number }[];
      deleted += Number(row?.n ?? 0);
    }
    return deleted;
  }
}
