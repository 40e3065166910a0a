import { mkdir, mkdtemp, readdir, copyFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import hdr from 'hdr-histogram-js';
import { SimulatorProvider, type SimulatorOptions } from '#models';
import { TypeormTenantRepository, loadPromptFiles, openDataSource, seedDefaults } from '#persistence';
import { CpuSampler } from '../process.cpu.js';
import { SERVICES, missingBuilds, spawnService, stopServices, waitReady, type ServiceProcess } from '../service.processes.js';
import { machineFacts, sourceFacts } from '../results.report.js';
import { BENCH_TENANT, type BenchOptions } from '../scenario.js';

const API_KEY = 'ballast-bench-stream-key-0123456789';
/** The demo tenant's key, as bench/distributed.scenario.ts seeds it; the bench streams as the bench tenant, which has no request quota. */
const DEMO_KEY = 'ballast-bench-key';

/** The model every row streams from: a realistic first token and speed, in process. */
const MODEL: SimulatorOptions = { ttftMs: 200, tokensPerSecond: 50 };
const CONCURRENCY = 100;

/** One prompt per release policy: the pipeline's own cost (window of 1 word), the default window, buffered. */
const POLICIES: Array<{ prompt: string; label: string; output: string }> = [
  { prompt: 'bench-stream-w1', label: 'windowed, 1-word window (leak check off)', output: '{ systemPromptLeak: off, stream: { windowTokens: 1 } }' },
  { prompt: 'bench-stream-w16', label: 'windowed, 16-word window (default)', output: '{ stream: { windowTokens: 16 } }' },
  { prompt: 'bench-stream-buffered', label: 'buffered', output: '{ stream: { mode: buffered } }' },
];

export interface StreamRow {
  label: string;
  streams: number;
  errors: number;
  /** Request sent → first content byte (ms). */
  ttftMs: { p50: number; p99: number; max: number };
  /** This row's TTFT minus the simulator's own (p50 − p50, p99 − p99). */
  ttftAddedMs: { p50: number; p99: number } | null;
  /** Per stream, output tokens over the time from the first to the last content (median). */
  tokensPerSecondMedian: number | null;
  /** All streams' output tokens per second of the window. */
  tokensPerSecondTotal: number;
  cpuMsPerStream: number | null;
  loadAverage: number;
}

const percentile = (h: ReturnType<typeof hdr.build>, p: number) => Math.round(h.getValueAtPercentile(p) / 100) / 10;

/** The simulator alone at the same concurrency: the time to first token Ballast adds to. */
async function direct(durationMs: number): Promise<StreamRow> {
  const sim = new SimulatorProvider(MODEL);
  const ttft = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const rates: number[] = [];
  let streams = 0;
  let tokens = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        const started = performance.now();
        let first = 0;
        let last = 0;
        const result = await sim.complete({
          model: 'sim-1',
          messages: [{ role: 'user', content: `Question ${worker}-${i}: where is my parcel and when will it arrive?` }],
          temperature: 0,
          maxTokens: 256,
          signal: new AbortController().signal,
          onDelta: () => {
            last = performance.now();
            first ||= last;
          },
        });
        ttft.recordValue(Math.round((first - started) * 1000));
        if (last > first) rates.push(((result.outputTokens - 1) * 1000) / (last - first));
        streams++;
        tokens += result.outputTokens;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return row('simulator alone (in process, no pipeline)', streams, 0, ttft, null, rates, tokens, performance.now() - t0, cpu);
}

function row(label: string, streams: number, errors: number, ttft: ReturnType<typeof hdr.build>, base: StreamRow | null, rates: number[], tokens: number, wallMs: number, cpu: NodeJS.CpuUsage): StreamRow {
  rates.sort((a, b) => a - b);
  const ttftMs = { p50: percentile(ttft, 50), p99: percentile(ttft, 99), max: percentile(ttft, 100) };
  return {
    label,
    streams,
    errors,
    ttftMs,
    ttftAddedMs: base ? { p50: Math.round((ttftMs.p50 - base.ttftMs.p50) * 10) / 10, p99: Math.round((ttftMs.p99 - base.ttftMs.p99) * 10) / 10 } : null,
    tokensPerSecondMedian: rates.length ? Math.round(rates[Math.floor(rates.length / 2)]!) : null,
    tokensPerSecondTotal: Math.round((tokens * 1000) / wallMs),
    cpuMsPerStream: streams ? Math.round(((cpu.user + cpu.system) / 1000 / streams) * 100) / 100 : null,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}

/** One stream through `/v1/chat/completions`: when the first content arrived, the last, and the output tokens. */
async function oneStream(url: string, prompt: string, question: string): Promise<{ ttftMs: number; firstAt: number; lastAt: number; tokens: number } | null> {
  const started = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: `prompt:${prompt}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: question }] }),
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    return null;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  let firstAt = 0;
  let lastAt = 0;
  let tokens = 0;
  let done = false;
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (event === 'data: [DONE]') done = true;
      else if (event.includes('"delta":{"content"')) {
        lastAt = performance.now();
        firstAt ||= lastAt;
      } else if (event.includes('"completion_tokens"')) tokens = (JSON.parse(event.slice(6)) as { usage: { completion_tokens: number } }).usage.completion_tokens;
    }
  }
  return done && firstAt ? { ttftMs: firstAt - started, firstAt, lastAt, tokens } : null;
}

/** Starts a CPU measurement; the function it returns gives the CPU seconds spent since (default: this process). */
type CpuMeter = () => () => number;
const processCpu: CpuMeter = () => {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
};

async function throughBallast(url: string, prompt: string, label: string, durationMs: number, base: StreamRow, tag: string, concurrency = CONCURRENCY, cpuMeter: CpuMeter = processCpu): Promise<StreamRow> {
  const ttft = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const rates: number[] = [];
  let streams = 0;
  let errors = 0;
  let tokens = 0;
  const cpuSeconds = cpuMeter();
  const t0 = performance.now();
  const until = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        // A distinct question each time: no cache hits.
        const s = await oneStream(url, prompt, `Run ${tag}, question ${worker}-${i}: where is my parcel and when will it arrive?`).catch(() => null);
        if (!s) {
          errors++;
          continue;
        }
        ttft.recordValue(Math.round(s.ttftMs * 1000));
        if (s.lastAt > s.firstAt && s.tokens > 1) rates.push(((s.tokens - 1) * 1000) / (s.lastAt - s.firstAt));
        streams++;
        tokens += s.tokens;
      }
    }),
  );
  const seconds = cpuSeconds();
  return row(label, streams, errors, ttft, base, rates, tokens, performance.now() - t0, { user: seconds * 1e6, system: 0 });
}

function table(rows: readonly StreamRow[]): string {
  const head = ['row', 'streams', 'errors', 'TTFT p50', 'TTFT p99', 'added p50', 'added p99', 'tok/s/stream', 'tok/s total', 'CPU-ms/stream', 'load'];
  const body = rows.map((r) => [
    r.label,
    String(r.streams),
    String(r.errors),
    `${r.ttftMs.p50} ms`,
    `${r.ttftMs.p99} ms`,
    r.ttftAddedMs ? `${r.ttftAddedMs.p50} ms` : '—',
    r.ttftAddedMs ? `${r.ttftAddedMs.p99} ms` : '—',
    r.tokensPerSecondMedian === null ? '—' : String(r.tokensPerSecondMedian),
    String(r.tokensPerSecondTotal),
    r.cpuMsPerStream === null ? '—' : String(r.cpuMsPerStream),
    String(r.loadAverage),
  ]);
  return [head, ...body].map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/\n/, `\n|${head.map(() => '---').join('|')}|\n`);
}

/**
 * Streaming rows (embedded, then distributed when Kafka and Postgres answer): time to first token through Ballast against the simulator alone, at
 * 100 concurrent streams (closed loop) per release policy, and at 10 for the pipeline unsaturated; tokens/s per stream and in total; CPU-ms
 * per stream of this process (Ballast and the bench's HTTP client together).
 */
/** The repository's prompts plus one per release policy, in a fresh directory. */
async function benchPrompts(root: string): Promise<string> {
  const promptsDir = await mkdtemp(join(tmpdir(), 'ballast-bench-stream-prompts-'));
  for (const f of await readdir(join(root, 'prompts'))) await copyFile(join(root, 'prompts', f), join(promptsDir, f));
  for (const p of POLICIES) {
    await writeFile(
      join(promptsDir, `${p.prompt}.yaml`),
      `name: ${p.prompt}\nmodel: sim-1\ntemplate:\n  messages:\n    - role: system\n      content: You are the parcel assistant of a delivery company.\n    - role: user\n      content: "{{question}}"\npolicies:\n  guardrail:\n    output: ${p.output}\n  cache: { mode: exact }\n`,
    );
  }
  return promptsDir;
}

/** The same rows against the six services as processes over Kafka and Postgres (bench/service.processes.ts). */
async function distributedRows(root: string, promptsDir: string, durationMs: number, base: StreamRow, options: BenchOptions): Promise<StreamRow[]> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast';
  const missing = missingBuilds(root);
  if (missing.length) throw new Error(`service builds missing (${missing.join(', ')}); run npm run build`);
  const dataSource = await openDataSource({ url: databaseUrl, connectTimeoutMs: 3_000, applicationName: 'ballast-bench' });
  try {
    await seedDefaults(dataSource, { apiKey: DEMO_KEY, prompts: (await loadPromptFiles(promptsDir)).map((f) => f.definition) });
    const tenants = new TypeormTenantRepository(dataSource);
    await tenants.upsertTenant(BENCH_TENANT);
    await tenants.replaceLabelledApiKey(BENCH_TENANT.id, 'bench-stream', API_KEY);
  } finally {
    await dataSource.destroy();
  }
  const logDir = await mkdtemp(join(tmpdir(), 'ballast-bench-stream-logs-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BALLAST_MODE: 'distributed',
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    SIMULATOR_TTFT_MS: String(MODEL.ttftMs),
    SIMULATOR_TOKENS_PER_SECOND: String(MODEL.tokensPerSecond),
    INGRESS_INSTANCE_ID: `bench-stream-${process.pid}`,
  };
  const procs: ServiceProcess[] = [];
  const killAll = () => {
    for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    options.log(`streaming: starting the six services over Kafka (logs in ${logDir})`);
    for (const name of SERVICES) procs.push(await spawnService(name, { root, env, logDir, cpuProfileDir: null }));
    await Promise.all(procs.map((p) => waitReady(p, 90_000)));
    const url = `http://127.0.0.1:${procs.find((p) => p.name === 'ingress')!.port}`;
    const sampler = new CpuSampler(() => ({ services: procs.map((p) => p.child.pid!).filter(Boolean), bench: [process.pid] }));
    const meter: CpuMeter = () => {
      const start = sampler.sample();
      return () => sampler.since(start, () => true).seconds;
    };
    const tag = `d${Date.now().toString(36)}`;
    options.log('streaming: distributed warm-up');
    await throughBallast(url, POLICIES[0]!.prompt, 'warm-up', Math.min(3_000, durationMs), base, `${tag}-warm`);
    const rows: StreamRow[] = [];
    rows.push(await throughBallast(url, POLICIES[0]!.prompt, `distributed, 10 streams: ${POLICIES[0]!.label}`, durationMs, base, `${tag}-c10`, 10, meter));
    for (const p of POLICIES) {
      options.log(`streaming: distributed, ${p.label}, ${CONCURRENCY} concurrent streams, ${durationMs} ms`);
      rows.push(await throughBallast(url, p.prompt, `distributed, ${CONCURRENCY} streams: ${p.label}`, durationMs, base, `${tag}-${p.prompt}`, CONCURRENCY, meter));
    }
    return rows;
  } finally {
    await stopServices(procs);
    process.off('exit', killAll);
  }
}

export async function runStreaming(root: string, quick: boolean, options: BenchOptions): Promise<StreamRow[]> {
  const durationMs = quick ? 4_000 : 15_000;
  const promptsDir = await benchPrompts(root);
  options.log(`streaming: the simulator alone, ${CONCURRENCY} concurrent streams, ${durationMs} ms`);
  const base = await direct(durationMs);
  const { startEmbedded } = await import('../../apps/embedded/src/embedded.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'ballast-bench-stream-'));
  const ballast = await startEmbedded({ port: 0, apiKey: DEMO_KEY, promptsDir, dataDir, simulator: MODEL });
  const rows: StreamRow[] = [base];
  try {
    await ballast.tenants.upsertTenant(BENCH_TENANT);
    await ballast.tenants.createApiKey(BENCH_TENANT.id, API_KEY);
    const tag = Date.now().toString(36);
    options.log('streaming: warming up');
    await throughBallast(ballast.url, POLICIES[0]!.prompt, 'warm-up', Math.min(3_000, durationMs), base, `${tag}-warm`);
    // The pipeline's own cost where the process is not saturated: 10 streams at once.
    options.log(`streaming: ${POLICIES[0]!.label}, 10 concurrent streams, ${durationMs} ms`);
    rows.push(await throughBallast(ballast.url, POLICIES[0]!.prompt, `embedded, 10 streams: ${POLICIES[0]!.label}`, durationMs, base, `${tag}-c10`, 10));
    for (const p of POLICIES) {
      options.log(`streaming: ${p.label}, ${CONCURRENCY} concurrent streams, ${durationMs} ms`);
      rows.push(await throughBallast(ballast.url, p.prompt, `embedded, ${CONCURRENCY} streams: ${p.label}`, durationMs, base, `${tag}-${p.prompt}`));
    }
  } finally {
    await ballast.stop();
  }
  try {
    rows.push(...(await distributedRows(root, promptsDir, durationMs, base, options)));
  } catch (error) {
    options.log(`streaming: no distributed rows: ${error instanceof Error ? error.message : String(error)}`);
  }
  const m = machineFacts();
  const source = sourceFacts(root);
  const text = [
    `Ballast streaming bench${quick ? ' (quick)' : ''} — ${m.cpus} × ${m.cpuModel}, Node ${m.node}${source ? `, commit ${source.commit}${source.changedFiles ? ` + ${source.changedFiles} changed files` : ''}` : ''}`,
    `simulator: first token after ${MODEL.ttftMs} ms, ${MODEL.tokensPerSecond} tokens/s; closed loop at 10 or ${CONCURRENCY} concurrent streams (the simulator alone at ${CONCURRENCY}), ${durationMs} ms per row; /v1/chat/completions with stream_options.include_usage`,
    'TTFT = request sent → first content delta read; added = row − simulator alone (p50 − p50, p99 − p99); CPU-ms per stream: embedded = this process (Ballast + the bench client), distributed = the six service processes + the bench client',
    'target: TTFT added ≤ 20 ms p99 embedded at 100 concurrent streams',
    '',
    table(rows),
    '',
  ].join('\n');
  process.stdout.write(`${text}\n`);
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const base64 = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(join(dir, `${base64}-streaming.json`), `${JSON.stringify({ machine: m, source, model: MODEL, concurrency: CONCURRENCY, durationMs, rows }, null, 2)}\n`);
  await writeFile(join(dir, `${base64}-streaming.md`), `# ${text.replace(/^Ballast/, 'Ballast')}`);
  options.log(`streaming results written to bench/results/${base64}-streaming.{json,md}`);
  return rows;
}
