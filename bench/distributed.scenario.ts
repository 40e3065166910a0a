import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { ALL_TOPICS, HEADERS, TOPICS, type LlmResponse } from '#contracts';
import { TypeormTenantRepository, loadPromptFiles, openDataSource, seedDefaults } from '#persistence';
import { distinctQuestions, pooledQuestions, runBurst, runOpenLoop, saturationNote, type OpenLoopEnd, type RequestSink } from './load.generator.js';
import { OutcomeTracker } from './outcome.tracker.js';
import { CpuSampler, pidsMatching } from './process.cpu.js';
import { BENCH_TENANT, errorRow, resultFrom, type BenchOptions, type BenchPlan, type ScenarioResult } from './scenario.js';
import { SERVICES, lastLines, missingBuilds, problemLines, spawnService, stopServices, waitReady, type ServiceProcess } from './service.processes.js';

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs;

const TENANT = BENCH_TENANT.id;
const API_KEY = 'ballast-bench-key';
const DEFAULT_BROKERS = '127.0.0.1:9092';
const DEFAULT_DATABASE_URL = 'postgres://ballast:ballast@127.0.0.1:5432/ballast';
const PARTITIONS = 6;

interface Clients {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  consumer: Consumer | null;
}

export async function runDistributed(root: string, plan: BenchPlan, options: BenchOptions): Promise<ScenarioResult[]> {
  const { log } = options;
  const brokers = (process.env.KAFKA_BROKERS ?? DEFAULT_BROKERS).split(',').map((b) => b.trim()).filter(Boolean);
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const fail = (why: string) => [errorRow('distributed', 'all runs', why)];

  const missing = missingBuilds(root);
  if (missing.length) return fail(`service builds missing (${missing.join(', ')}); run npm run build`);

  // Preflight: both backends answer before anything is spawned.
  const kafka = new KafkaClient({ clientId: 'ballast-bench', brokers, connectionTimeout: 3_000, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    return fail(`no Kafka broker at ${brokers.join(',')} (${describe(error)}); start one with bash scripts/kafka.sh up or set KAFKA_BROKERS`);
  }
  try {
    log(`distributed: migrating and seeding ${redact(databaseUrl)} (tenants demo and bench, prompts/*.yaml)`);
    const dataSource = await openDataSource({ url: databaseUrl, connectTimeoutMs: 3_000, applicationName: 'ballast-bench' });
    try {
      const prompts = (await loadPromptFiles(join(root, 'prompts'))).map((f) => f.definition);
      await seedDefaults(dataSource, { apiKey: API_KEY, prompts });
      await new TypeormTenantRepository(dataSource).upsertTenant(BENCH_TENANT);
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    return fail(`Postgres at ${redact(databaseUrl)} is not usable (${describe(error)}); start it with bash scripts/postgres.sh up or set DATABASE_URL`);
  }

  const notes: string[] = [];
  // Members left by a killed run expire after the session timeout; a live stack on the same broker does not.
  let busy = await busyGroups(admin);
  for (const until = Date.now() + 40_000; busy.length > 0 && Date.now() < until; busy = await busyGroups(admin)) {
    log(`distributed: consumer groups ${busy.join(', ')} have members; waiting for them to leave`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  if (busy.length) {
    notes.push(`consumer groups ${busy.join(', ')} had members of another stack on this broker throughout: it shares the partitions, so the figures are not isolated`);
  }

  const logDir = mkdtempSync(join(tmpdir(), 'ballast-bench-'));
  log(`distributed: starting ${SERVICES.length} services (logs in ${logDir})`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BALLAST_MODE: 'distributed',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_PARTITIONS: String(PARTITIONS),
    DATABASE_URL: databaseUrl,
    SIMULATOR_TTFT_MS: '0',
    SIMULATOR_TOKENS_PER_SECOND: '0',
  };
  const procs: ServiceProcess[] = [];
  const killAll = () => {
    for (const p of procs) if (!p.exited) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const clients: Clients = { kafka, admin, producer: kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false }), consumer: null };
  try {
    for (const name of SERVICES) procs.push(await spawnService(name, { root, env, logDir, cpuProfileDir: options.cpuProfileDir }));
    await Promise.all(procs.map((p) => waitReady(p, 90_000)));
    log('distributed: services ready');
    return await measure(procs, clients, plan, options, logDir, notes);
  } catch (error) {
    return [errorRow('distributed', 'all runs', `${describe(error)} (service logs: ${logDir})`)];
  } finally {
    await clients.consumer?.disconnect().catch(() => undefined);
    await clients.producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    const killed = await stopServices(procs);
    if (killed.length) log(`distributed: ${killed.join(', ')} did not stop within 15 s of SIGTERM and were killed`);
    process.off('exit', killAll);
  }
}

async function measure(procs: ServiceProcess[], clients: Clients, plan: BenchPlan, options: BenchOptions, logDir: string, notes: string[]): Promise<ScenarioResult[]> {
  const { log } = options;
  const p = plan.distributed;
  const results: ScenarioResult[] = [];
  let tracker = new OutcomeTracker();

  await clients.producer.connect();
  const consumer = clients.kafka.consumer({ groupId: `ballast-bench-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
  clients.consumer = consumer;
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.responses], fromBeginning: false });
  const joined = new Promise<void>((resolve) => {
    let sawJoin = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (sawJoin = true));
    consumer.on(consumer.events.FETCH, () => sawJoin && resolve());
  });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      for (const m of batch.messages) {
        if (!m.value) continue;
        const { payload, createdAt } = JSON.parse(m.value.toString('utf8')) as { payload: LlmResponse; createdAt: string };
        tracker.outcome({ requestId: payload.requestId, status: payload.status, source: payload.source, errorCode: payload.error?.code, stages: payload.timings?.stages, publishedAt: Date.parse(createdAt) }, at);
      }
    },
  });
  await joined;

  let sendErrors = 0;
  let lastSendError = '';
  const headers = { [HEADERS.type]: 'ballast.request', [HEADERS.tenant]: TENANT };
  const sink: RequestSink = (batch) => {
    clients.producer
      .send({ topic: TOPICS.requests, acks: -1, messages: batch.map((r) => ({ key: r.requestId, value: r.value, headers })) })
      .catch((error: unknown) => {
        sendErrors += batch.length;
        lastSendError = describe(error);
      });
  };
  const sampler = new CpuSampler(() => ({
    ...Object.fromEntries(procs.map((s) => [s.name, s.child.pid ? [s.child.pid] : []])),
    kafka: pidsMatching((cmd) => cmd.includes('kafka.Kafka')),
    postgres: pidsMatching((_cmd, comm) => comm === 'postgres'),
    bench: [process.pid],
  }));
  const isService = (name: string) => (SERVICES as readonly string[]).includes(name);
  const tag = `bench-${Date.now().toString(36)}`;
  const drain = (t: OutcomeTracker) => t.drain(plan.drain.idleMs, plan.drain.maxMs);
  const rowNotes = (t: OutcomeTracker, errorsBefore: number): string[] => {
    const out: string[] = [];
    if (sendErrors > errorsBefore) out.push(`${sendErrors - errorsBefore} requests could not be published (${lastSendError})`);
    const dead = procs.filter((s) => s.exited).map((s) => `${s.name} exited (${s.exited!.code ?? s.exited!.signal})`);
    if (dead.length) out.push(`${dead.join(', ')}: ${lastLines(procs.find((s) => s.exited)!.logPath, 2)}`);
    if (t.outstanding > 0) out.push(`no outcome within ${plan.drain.idleMs / 1000} s of the last one for ${t.outstanding} requests (service logs: ${logDir})`);
    return out;
  };

  // Warm-up: JIT, connection pools, prompt cache; it also works off any backlog the groups had.
  log(`distributed: warm-up at 100 req/s for ${p.warmupMs / 1000} s`);
  const warm = new OutcomeTracker();
  tracker = warm;
  await runOpenLoop({ ratePerSecond: 100, durationMs: p.warmupMs, idPrefix: `${tag}-warm`, tenantId: TENANT, question: distinctQuestions(`${tag}w`), sink, tracker: warm });
  await warm.drain(plan.drain.idleMs, Math.max(plan.drain.maxMs, 60_000));
  if (warm.received === 0) {
    const problems = procs.flatMap((s) => problemLines(s.logPath, 2).map((l) => `${s.name}: ${l}`)).slice(-4);
    return [
      errorRow(
        'distributed',
        'all runs',
        `no outcome reached ${TOPICS.responses} for ${warm.summary().sent} warm-up requests: the pipeline on Kafka is not flowing${sendErrors ? ` (publishing failed: ${lastSendError})` : ''}${problems.length ? `; last service errors: ${problems.join(' || ')}` : ''} (service logs: ${logDir})`,
      ),
    ];
  }
  const backlog = await waitForBacklog(clients.admin, 60_000);
  if (backlog > 0) notes.push(`the services' consumer groups still had ${backlog} records of lag from before the bench after 60 s`);

  const window = async (kind: ScenarioResult['kind'], label: string, rate: number | null, run: (t: OutcomeTracker) => Promise<OpenLoopEnd | void>) => {
    const t = new OutcomeTracker();
    tracker = t;
    const errorsBefore = sendErrors;
    const start = sampler.sample();
    const end = await run(t);
    await drain(t);
    const cpu = sampler.since(start, isService);
    const row = resultFrom({ mode: 'distributed', kind, label, offeredRate: rate }, t.summary(), {
      cpuPercent: cpu.percent,
      cpuSeconds: cpu.seconds,
      loadAverage: Math.round(loadavg()[0]! * 10) / 10,
    });
    row.notes.push(...(end ? saturationNote(end) : []), ...rowNotes(t, errorsBefore));
    return row;
  };

  for (const rate of p.rates) {
    log(`distributed: ${rate} req/s for ${p.durationMs / 1000} s (distinct questions)`);
    const row = await window('open-loop', `${rate.toLocaleString('en-US')} req/s, cache miss`, rate, (t) =>
      runOpenLoop({ ratePerSecond: rate, durationMs: p.durationMs, idPrefix: `${tag}-r${rate}`, tenantId: TENANT, question: distinctQuestions(`${tag}r${rate}`), sink, tracker: t, maxBacklogSeconds: plan.maxBacklogSeconds }),
    );
    if (rate === 500) row.target = { text: 'p99 ≤ 50 ms, 0 lost', pass: row.summary!.latencyMs.p99 <= 50 && row.summary!.lost === 0 };
    results.push(row);
  }

  if (p.cacheHitRate > 0) {
    log(`distributed: cache-hit run at ${p.cacheHitRate} req/s for ${p.durationMs / 1000} s (200 warmed questions)`);
    const pool = pooledQuestions(200);
    const fill = new OutcomeTracker();
    tracker = fill;
    await runOpenLoop({ ratePerSecond: 200, durationMs: 1_000, idPrefix: `${tag}-hfill`, tenantId: TENANT, question: pool, sink, tracker: fill });
    await drain(fill);
    // The cache service stores answers as it reads them from `responses`: wait until it has caught up.
    await waitForBacklog(clients.admin, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    results.push(
      await window('cache-hit', `${p.cacheHitRate.toLocaleString('en-US')} req/s, cache hit`, p.cacheHitRate, (t) =>
        runOpenLoop({ ratePerSecond: p.cacheHitRate, durationMs: p.durationMs, idPrefix: `${tag}-hit`, tenantId: TENANT, question: pool, sink, tracker: t, maxBacklogSeconds: plan.maxBacklogSeconds }),
      ),
    );
  }

  if (p.burst > 0) {
    log(`distributed: burst of ${p.burst.toLocaleString('en-US')} requests (max throughput)`);
    results.push(
      await window('burst', `burst ${p.burst.toLocaleString('en-US')}, cache miss`, null, (t) =>
        runBurst({ count: p.burst, idPrefix: `${tag}-burst`, tenantId: TENANT, question: distinctQuestions(`${tag}b`), sink, tracker: t }),
      ),
    );
  }

  if (options.cpuProfileDir) notes.push(`CPU profiles of the services are written to ${options.cpuProfileDir} when they stop`);
  if (results[0]) results[0].notes.unshift(...notes);
  return results;
}

/** Service groups that already have members (another stack on the same broker would share partitions with ours). */
async function busyGroups(admin: Admin): Promise<string[]> {
  try {
    const { groups } = await admin.describeGroups([...SERVICES]);
    return groups.filter((g) => g.members.length > 0).map((g) => `${g.groupId} (${g.members.length})`);
  } catch {
    return [];
  }
}

/** Sum of committed-offset lag of the six service groups; waits until it is near zero or `timeoutMs` passes. */
async function waitForBacklog(admin: Admin, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lag = 0;
  while (Date.now() < deadline) {
    lag = await serviceLag(admin).catch(() => 0);
    if (lag <= 10) return 0;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return lag;
}

async function serviceLag(admin: Admin): Promise<number> {
  const high = new Map<string, number>();
  for (const topic of ALL_TOPICS) {
    for (const p of await admin.fetchTopicOffsets(topic)) high.set(`${topic}/${p.partition}`, Number(p.high));
  }
  let lag = 0;
  for (const groupId of SERVICES) {
    for (const t of await admin.fetchOffsets({ groupId, topics: [...ALL_TOPICS] })) {
      for (const p of t.partitions) {
        const committed = Number(p.offset);
        if (committed >= 0) lag += Math.max(0, (high.get(`${t.topic}/${p.partition}`) ?? 0) - committed);
      }
    }
  }
  return lag;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
