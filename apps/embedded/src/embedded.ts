import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SimulatorOptions } from '#models';
import { ALL_TOPICS } from '#contracts';
import { DEFAULT_RETRY_POLICY, MemoryBroker, MemoryTransport, Publisher, type Transport } from '#messaging';
import { configureObservability, createLogger } from '#observability';
import {
  WriteBehindProcessedMessageStore,
  TypeormTenantRepository,
  loadPromptFiles,
  openDataSource,
  seedDefaults,
  startEmbeddedPostgres,
  startLedgerPruner,
  type TenantRepository,
} from '#persistence';
import { createStageApp, stopStageApps, type DrainReport } from '#runtime';
import { cacheDepsFromConfig } from '../../../services/cache/src/cache.deps.js';
import { CLIENT_VISIBLE_LEDGER_STAGES } from '../../../services/ingress/src/outcomes/request.ledger.js';
import { CacheModule } from '../../../services/cache/src/cache.module.js';
import { guardrailDepsFromConfig } from '../../../services/guardrail/src/guardrail.deps.js';
import { GuardrailModule } from '../../../services/guardrail/src/guardrail.module.js';
import { ingressDepsFromConfig, ingressHttpOptions } from '../../../services/ingress/src/ingress.deps.js';
import { IngressModule } from '../../../services/ingress/src/ingress.module.js';
import { inferenceDepsFromConfig } from '../../../services/inference/src/inference.deps.js';
import { InferenceModule } from '../../../services/inference/src/inference.module.js';
import { judgeDepsFromConfig } from '../../../services/judge/src/judge.deps.js';
import { JudgeModule } from '../../../services/judge/src/judge.module.js';
import { DashboardModule } from '../../../services/metrics/src/dashboard/dashboard.module.js';
import { metricsDepsFromConfig } from '../../../services/metrics/src/metrics.deps.js';
import { MetricsModule } from '../../../services/metrics/src/metrics.module.js';
import { loadEmbeddedConfig, type EmbeddedConfig } from './embedded.config.js';

export interface EmbeddedOptions {
  port: number;
  host?: string;
  /** PGlite keeps its files here; undefined keeps the database in memory (tests). */
  dataDir?: string;
  apiKey: string;
  promptsDir?: string;
  /** Overrides `BALLAST_CONSUMER_CONCURRENCY` for every stage. */
  concurrency?: number;
  /** Overrides `SIMULATOR_TTFT_MS` / `SIMULATOR_TOKENS_PER_SECOND`. */
  simulator?: SimulatorOptions;
  partitions?: number;
  /** Ingress replicas, each on its own port (the first on `port`); default 1. */
  ingressReplicas?: number;
  /** Every stage's parsed configuration; default: parsed from `env`. */
  config?: EmbeddedConfig;
  /** Where the configuration and the API keys it names by variable are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface Embedded {
  /** The first ingress replica's base URL. */
  url: string;
  /** Every ingress replica's base URL (`ingressReplicas`). */
  urls: string[];
  transport: Transport;
  broker: MemoryBroker;
  apps: INestApplication[];
  /** Tenants and API keys in the embedded registry (tests and the bench add their own). */
  tenants: TenantRepository;
  /**
   * Readiness fails and new HTTP requests get 503 at once; requests and bus records in flight get
   * `graceMs` (default 0) to finish; then the stages close upstream first, then the bus and PGlite.
   */
  stop(options?: { graceMs?: number }): Promise<DrainReport>;
}

/** How `main.ts` starts the app from its parsed configuration (`loadEmbeddedConfigOrExit`). */
export function embeddedOptionsFromConfig(config: EmbeddedConfig): EmbeddedOptions {
  return {
    port: config.app.BALLAST_PORT,
    host: config.app.BALLAST_HOST,
    dataDir: config.app.BALLAST_DATA_DIR,
    apiKey: config.app.BALLAST_API_KEY,
    promptsDir: config.app.BALLAST_PROMPTS_DIR,
    config,
  };
}

/**
 * All six services in one process: the in-memory bus, PGlite for the registry, the request
 * outcomes and the idempotency ledger, the simulator model and HTTP on one port. Each stage is
 * wired by the same `<service>DepsFromConfig` as its distributed service, from the same variables.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const env = options.env ?? process.env;
  const parsed = options.config ?? loadEmbeddedConfig(env);
  // One setting for every stage in the process: the option, else the app's BALLAST_CONSUMER_CONCURRENCY.
  const config = withConcurrency(parsed, options.concurrency ?? parsed.app.BALLAST_CONSUMER_CONCURRENCY);
  configureObservability(config.app);

  const pg = await startEmbeddedPostgres(options.dataDir ? { dataDir: options.dataDir } : {});
  const dataSource = await openDataSource({ url: pg.url, poolSize: pg.maxConnections, applicationName: 'ballast-embedded' });
  const prompts = options.promptsDir ? (await loadPromptFiles(options.promptsDir)).map((f) => f.definition) : undefined;
  await seedDefaults(dataSource, { apiKey: options.apiKey, ...(prompts ? { prompts } : {}) });
  // One ledger for every stage. This process is its only user: it answers from memory and writes
  // the records a client sees (claims, outcomes) behind to PGlite, from which the next start
  // reloads them, so outcomes and replays survive a restart without a database round trip on the
  // request path; the other stages' records guard only this process's in-memory bus.
  const retentionMs = config.app.BALLAST_LEDGER_RETENTION_HOURS * 3_600_000;
  const log = createLogger({ service: 'embedded' });
  const ledger = await WriteBehindProcessedMessageStore.open(dataSource, {
    since: new Date(Date.now() - retentionMs),
    maxEntries: config.app.BALLAST_LEDGER_MEMORY_ENTRIES,
    durableStages: CLIENT_VISIBLE_LEDGER_STAGES,
    onWriteError: (error) => log.warn({ err: error }, 'a ledger record was not written to PGlite; it holds until a restart'),
  });
  const ledgerPruner = startLedgerPruner({
    store: ledger,
    retentionMs,
    intervalMs: config.app.BALLAST_LEDGER_PRUNE_INTERVAL_MS,
    log: log.child({ logger: 'ballast.ledger-pruner' }),
  });

  const broker = new MemoryBroker(options.partitions ?? 6, config.app.BALLAST_BUS_RETAIN_RECORDS);
  const transport = new MemoryTransport(broker, { verifyHandOffs: config.app.BALLAST_BUS_VERIFY });
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: broker.defaultPartitions })));
  const publisher = (stage: string) => new Publisher(transport, stage);
  const stage = <T>(name: string, module: T, settings: { BALLAST_CONSUMER_CONCURRENCY: number; BALLAST_MAX_RETRIES: number }) => ({
    module: module as never,
    transport,
    stage: name,
    concurrency: settings.BALLAST_CONSUMER_CONCURRENCY,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: settings.BALLAST_MAX_RETRIES + 1 },
  });

  // Downstream stages first, so no stage publishes to a topic whose consumer has not joined yet.
  const apps: NestFastifyApplication[] = [];
  const metricsDeps = metricsDepsFromConfig(config.metrics, { publisher: publisher('metrics'), transport, dataSource });
  apps.push(await createStageApp(stage('metrics', MetricsModule.register(metricsDeps, { http: false }), config.metrics)));
  apps.push(await createStageApp(stage('judge', JudgeModule.register(judgeDepsFromConfig(config.judge, { publisher: publisher('judge'), ...(options.simulator ? { simulator: options.simulator } : {}) }), { http: false }), config.judge)));
  const inferenceDeps = inferenceDepsFromConfig(
    config.inference,
    { publisher: publisher('inference'), transport, ledger, ...(options.simulator ? { simulator: options.simulator } : {}) },
    env,
  );
  apps.push(await createStageApp(stage('inference', InferenceModule.register(inferenceDeps, { http: false }), config.inference)));
  const cacheDeps = cacheDepsFromConfig(config.cache, { publisher: publisher('cache'), dataSource, soleOwner: true });
  apps.push(await createStageApp(stage('cache', CacheModule.register(cacheDeps, { http: false }), config.cache)));
  const guardrailDeps = guardrailDepsFromConfig(config.guardrail, { publisher: publisher('guardrail'), outcomes: ledger }, env);
  apps.push(await createStageApp(stage('guardrail', GuardrailModule.register(guardrailDeps, { http: false }), config.guardrail)));
  // Replicas share the registry and the request ledger, as they share Postgres when distributed;
  // each has its own HTTP port and its own consumer group for outcomes.
  const urls: string[] = [];
  for (let replica = 0; replica < (options.ingressReplicas ?? 1); replica++) {
    const deps = ingressDepsFromConfig(config.ingress, { transport, publisher: publisher('ingress'), dataSource, ledger, instanceId: randomUUID() });
    // The main port also serves the metrics stage's dashboard (it has no port of its own here).
    const module = replica === 0 ? DashboardModule.mountOn(IngressModule.register(deps), metricsDeps) : IngressModule.register(deps);
    const ingress = await createStageApp({ ...stage('ingress', module, config.ingress), ...ingressHttpOptions(config.ingress) });
    apps.push(ingress);
    await ingress.listen(replica === 0 ? options.port : 0, options.host ?? '127.0.0.1');
    const address = ingress.getHttpServer().address();
    urls.push(`http://${options.host ?? '127.0.0.1'}:${typeof address === 'object' && address ? address.port : options.port}`);
  }
  await Promise.all(apps.filter((a) => !a.getHttpServer().listening).map((a) => a.init()));

  let stopping: Promise<DrainReport> | undefined;
  return {
    url: urls[0]!,
    urls,
    transport,
    broker,
    apps,
    tenants: new TypeormTenantRepository(dataSource),
    stop(stopOptions = {}) {
      return (stopping ??= (async () => {
        const report = await stopStageApps([...apps].reverse(), { graceMs: stopOptions.graceMs ?? 0, wholePipeline: true });
        await ledgerPruner.stop();
        await ledger.flush();
        await transport.close();
        await dataSource.destroy();
        await pg.stop();
        return report;
      })());
    },
  };
}

function withConcurrency(config: EmbeddedConfig, concurrency: number): EmbeddedConfig {
  const set = <C extends { BALLAST_CONSUMER_CONCURRENCY: number }>(c: C): C => ({ ...c, BALLAST_CONSUMER_CONCURRENCY: concurrency });
  return {
    app: set(config.app),
    ingress: set(config.ingress),
    guardrail: set(config.guardrail),
    cache: set(config.cache),
    inference: set(config.inference),
    judge: set(config.judge),
    metrics: set(config.metrics),
  };
}
