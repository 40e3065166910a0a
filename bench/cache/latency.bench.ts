import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { Completion } from '#contracts';
import { openDataSource, startEmbeddedPostgres } from '#persistence';
import { LocalEmbedder } from '../../services/cache/src/semantic/local.embedder.js';
import { PgVectorStore } from '../../services/cache/src/semantic/pg.vector-store.js';
import { QdrantVectorStore } from '../../services/cache/src/semantic/qdrant.vector-store.js';
import { TieredVectorStore } from '../../services/cache/src/semantic/tiered.vector-store.js';
import type { VectorScope, VectorStore } from '../../services/cache/src/semantic/vector.store.js';
import { qqpPairs } from './quality.bench.js';

type Table = (title: string, header: string[], rows: string[][]) => void;

/** `--entries 100000` (or BENCH_CACHE_ENTRIES); 10,000 by default. */
function entriesWanted(): number {
  const i = process.argv.indexOf('--entries');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_CACHE_ENTRIES'];
  const n = Number(raw ?? 10_000);
  if (!Number.isInteger(n) || n < 1_000) throw new Error(`--entries wants a whole number of at least 1000, got ${raw}`);
  return n;
}
const ENTRIES = entriesWanted();
const LOOKUPS = 500;
const PROBES = 2_000;
const answer: Completion = { content: 'cached answer', model: 'sim-1', provider: 'cache', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 1, costUsd: 0, estimated: false }, ttftMs: null, durationMs: 0 };
const scopeOf = (tenantId: string, extra: Partial<VectorScope> = {}): VectorScope => ({ tenantId, promptName: 'support-answer', promptVersion: 1, model: 'sim-1', paramsHash: 'p', ...extra });

interface LatencyRow {
  store: string;
  p50: number;
  p99: number;
  cpuMs: number;
  /** CPU of the server process per look-up, when it runs here (Qdrant started by scripts/qdrant.sh). */
  serverCpuMs: number | null;
  crossScopeHits: number;
  /** Entries embedded and stored per second while the collection was built (one client, batches of 500). */
  buildRate: number;
  /** What `buildRate` measured when it is not the build (the in-memory index: loading at start). */
  buildNote: string;
}

/** CPU ms used so far by the process in `pidFile` (Linux /proc; clock ticks of 10 ms), or null. */
function processCpuMs(pidFile: string | null): number | null {
  if (!pidFile || !existsSync(pidFile)) return null;
  try {
    const stat = readFileSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function measure(name: string, store: VectorStore, texts: string[], queries: string[], serverPidFile: string | null = null, settle: () => Promise<void> = async () => {}): Promise<LatencyRow> {
  return timeLookups(name, store, texts, queries, await build(name, store, texts, settle), serverPidFile);
}

/** Embeds and stores `texts` (four tenants) in batches of 500; returns entries per second. */
async function build(name: string, store: VectorStore, texts: string[], settle: () => Promise<void>): Promise<number> {
  const embedder = new LocalEmbedder();
  await store.ensureCollection();
  const expiresAt = new Date(Date.now() + 3_600_000);
  const built0 = performance.now();
  // Four tenants share the collection; look-ups search tenant t0's quarter.
  for (let i = 0; i < texts.length; i += 500) {
    const chunk = texts.slice(i, i + 500);
    const vectors = await embedder.embed(chunk);
    await store.upsert(chunk.map((text, j) => ({ key: `k${i + j}`, vector: vectors[j]!, scope: scopeOf(`t${(i + j) % 4}`), text, completion: answer, expiresAt })));
    if ((i + 500) % 10_000 === 0) process.stderr.write(`${name}: ${i + 500} entries in ${((performance.now() - built0) / 1000).toFixed(0)} s\n`);
  }
  await settle();
  const buildRate = texts.length / ((performance.now() - built0) / 1000);
  process.stderr.write(`${name}: ${texts.length} entries built at ${buildRate.toFixed(0)} entries/s\n`);
  return buildRate;
}

async function timeLookups(name: string, store: VectorStore, texts: string[], queries: string[], buildRate: number, serverPidFile: string | null = null, buildNote = ''): Promise<LatencyRow> {
  const embedder = new LocalEmbedder();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const server0 = processCpuMs(serverPidFile);
  for (const q of queries.slice(0, LOOKUPS)) {
    const t0 = performance.now();
    const [v] = await embedder.embed([q]);
    await store.search(v!, scopeOf('t0'), { limit: 3 });
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const server1 = processCpuMs(serverPidFile);
  times.sort((a, b) => a - b);
  // Same text, same vector (similarity 1) from every other scope: none may come back.
  let crossScopeHits = 0;
  const others: Partial<VectorScope>[] = [{ tenantId: 'intruder' }, { promptVersion: 2 }, { model: 'sim-2' }, { paramsHash: 'q' }, { promptName: 'other' }];
  for (let i = 0; i < PROBES; i += 1) {
    const index = (i * 4) % texts.length; // entries of tenant t0
    const [v] = await embedder.embed([texts[index]!]);
    const change = others[i % others.length]!;
    crossScopeHits += (await store.search(v!, { ...scopeOf('t0'), ...change }, { limit: 3 })).length;
  }
  return { store: name, p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]!, cpuMs: (cpu.user + cpu.system) / 1000 / LOOKUPS, serverCpuMs: server0 !== null && server1 !== null ? (server1 - server0) / LOOKUPS : null, crossScopeHits, buildRate, buildNote };
}

/**
 * Distinct QQP questions: the first of each pair, then the second; beyond those (about 75,000),
 * two questions joined into one entry, so 100,000 entries are still distinct real text.
 */
function entryTexts(pairs: { a: string; b: string }[], wanted: number): string[] {
  const unique = [...new Set([...pairs.map((p) => p.a), ...pairs.map((p) => p.b)])];
  const texts = unique.slice(0, wanted);
  for (let i = 0; texts.length < wanted; i += 1) texts.push(`${unique[i % unique.length]} ${unique[(i * 7 + 1) % unique.length]}`);
  return texts;
}

export async function runLatencyBench(table: Table): Promise<void> {
  const pairs = qqpPairs();
  const texts = entryTexts(pairs, ENTRIES);
  const queries = pairs.map((p) => p.b);
  const rows: LatencyRow[] = [];

  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-cache-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  const ds = await openDataSource({ url: pg.url, poolSize: 1 });
  try {
    const pgStore = new PgVectorStore(ds, 'bench-local', 512);
    rows.push(await measure('pgvector on PGlite (HNSW)', pgStore, texts, queries));
    // Embedded mode's store: the same table read into memory, as at a restart.
    const tiered = new TieredVectorStore(pgStore, 512, { maxEntries: ENTRIES });
    const load0 = performance.now();
    await tiered.ensureCollection();
    await tiered.whenLoaded();
    const loadRate = tiered.size / ((performance.now() - load0) / 1000);
    rows.push(await timeLookups('in-memory index over pgvector on PGlite (embedded mode)', tiered, texts, queries, loadRate, null, ' (loaded at start)'));
  } finally {
    await ds.destroy();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }

  // Real Postgres only where the server has the pgvector extension (Debian's Postgres 15 here has not).
  const pgUrl = process.env['DATABASE_URL'];
  if (pgUrl) {
    const real = await openDataSource({ url: pgUrl, poolSize: 2 });
    try {
      const [available] = (await real.query(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`)) as { n: number }[];
      if (available?.n) {
        const store = new PgVectorStore(real, `bench-local-${process.pid}`, 512);
        try {
          rows.push(await measure('pgvector on Postgres (HNSW)', store, texts, queries));
        } finally {
          await real.query(`DROP TABLE IF EXISTS "${store.collection}"`);
        }
      } else {
        process.stdout.write(`\n(Postgres not measured: the server at DATABASE_URL has no pgvector extension)\n`);
      }
    } finally {
      await real.destroy();
    }
  }

  const url = process.env['QDRANT_URL'] ?? 'http://127.0.0.1:6333';
  const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  if (ready) {
    const model = `bench-local-${process.pid}`;
    const store = new QdrantVectorStore({ url, timeoutMs: 30_000 }, model, 512);
    try {
      const pidFile = process.env['QDRANT_URL'] ? null : '.data/qdrant/qdrant.pid';
      const client = new QdrantClient({ url, checkCompatibility: false });
      // Measure once the optimizer has built the HNSW index (status green), not while it indexes.
      const settle = async () => {
        for (let i = 0; i < 240 && (await client.getCollection(store.collection)).status !== 'green'; i += 1) await new Promise((r) => setTimeout(r, 250));
      };
      rows.push(await measure(`Qdrant ${url}`, store, texts, queries, pidFile, settle));
    } finally {
      await new QdrantClient({ url, checkCompatibility: false }).deleteCollection(store.collection);
    }
  } else {
    process.stdout.write(`\n(Qdrant not measured: nothing answers ${url}/readyz; npm run qdrant:up)\n`);
  }

  table(
    `Semantic look-up at ${texts.length} entries (4 tenants), including local embedding; ${LOOKUPS} look-ups; cross-scope probe: ${PROBES} look-ups of stored texts from another tenant, prompt, version, model or parameters`,
    ['store', 'p50', 'p99', 'CPU per look-up: this process (embedding, client; PGlite runs here)', 'CPU per look-up: Qdrant server', 'cross-scope hits', 'build rate'],
    rows.map((r) => [r.store, `${r.p50.toFixed(2)} ms`, `${r.p99.toFixed(2)} ms`, `${r.cpuMs.toFixed(2)} ms`, r.serverCpuMs === null ? '-' : `${r.serverCpuMs.toFixed(2)} ms`, String(r.crossScopeHits), `${r.buildRate.toFixed(0)} entries/s${r.buildNote}`]),
  );
}
