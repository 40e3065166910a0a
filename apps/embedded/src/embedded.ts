import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher, type Transport } from '#messaging';
import {
  InMemoryProcessedMessageStore,
  TypeormPromptRegistryRepository,
  TypeormTenantRepository,
  loadPromptFiles,
  openDataSource,
  seedDefaults,
  startEmbeddedPostgres,
} from '#persistence';
import { createStageApp, stopStageApps, type DrainReport } from '#runtime';
import { CacheModule } from '../../../services/cache/src/cache.module.js';
import { MemoryCacheStore } from '../../../services/cache/src/store/memory.cache-store.js';
import { modelDetectorsFrom } from '../../../services/guardrail/src/detectors/model/http.model-detectors.js';
import { ModelDetectorRegistry } from '../../../services/guardrail/src/detectors/model/model-detector.js';
import { GuardrailModule } from '../../../services/guardrail/src/guardrail.module.js';
import { IngressModule } from '../../../services/ingress/src/ingress.module.js';
import { InferenceModule } from '../../../services/inference/src/inference.module.js';
import { inferenceConfig } from '../../../services/inference/src/inference.config.js';
import { inferenceDepsFromConfig } from '../../../services/inference/src/inference.deps.js';
import type { SimulatorOptions } from '../../../services/inference/src/providers/simulator.provider.js';
import { JudgeModule } from '../../../services/judge/src/judge.module.js';
import { MetricsModule } from '../../../services/metrics/src/metrics.module.js';

export interface EmbeddedOptions {
  port: number;
  host?: string;
  /** PGlite keeps its files here; undefined keeps the database in memory (tests). */
  dataDir?: string;
  apiKey: string;
  promptsDir?: string;
  concurrency?: number;
  simulator?: SimulatorOptions;
  partitions?: number;
  /** Ingress replicas, each on its own port (the first on `port`); default 1. */
  ingressReplicas?: number;
}

export interface Embedded {
  /** The first ingress replica's base URL. */
  url: string;
  /** Every ingress replica's base URL (`ingressReplicas`). */
  urls: string[];
  transport: Transport;
  broker: MemoryBroker;
  apps: INestApplication[];
  /**
   * Readiness fails and new HTTP requests get 503 at once; requests and bus records in flight get
   * `graceMs` (default 0) to finish; then the stages close upstream first, then the bus and PGlite.
   */
  stop(options?: { graceMs?: number }): Promise<DrainReport>;
}

/**
 * All six services in one process: the in-memory bus, PGlite for the registry, the simulator model
 * and HTTP on one port. The same modules and handlers run distributed; only the adapters differ.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const pg = await startEmbeddedPostgres(options.dataDir ? { dataDir: options.dataDir } : {});
  const dataSource = await openDataSource({ url: pg.url, poolSize: pg.maxConnections, applicationName: 'ballast-embedded' });
  const prompts = options.promptsDir ? (await loadPromptFiles(options.promptsDir)).map((f) => f.definition) : undefined;
  await seedDefaults(dataSource, { apiKey: options.apiKey, ...(prompts ? { prompts } : {}) });

  const broker = new MemoryBroker(options.partitions ?? 6);
  const transport = new MemoryTransport(broker);
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: broker.defaultPartitions })));
  const concurrency = options.concurrency ?? 64;
  const publisher = (stage: string) => new Publisher(transport, stage);
  const stage = <T>(name: string, module: T) => ({ module: module as never, transport, stage: name, concurrency });

  // Downstream stages first, so no stage publishes to a topic whose consumer has not joined yet.
  const apps: NestFastifyApplication[] = [];
  apps.push(await createStageApp(stage('metrics', MetricsModule.register({ http: false }))));
  apps.push(await createStageApp(stage('judge', JudgeModule.register({ publisher: publisher('judge') }, { http: false }))));
  apps.push(
    await createStageApp(
      // Same provider configuration as the distributed service: the simulator for sim-*, plus any
      // providers the environment names (INFERENCE_PROVIDERS, OPENAI_API_KEY, ANTHROPIC_API_KEY).
      stage('inference', InferenceModule.register(
        inferenceDepsFromConfig(inferenceConfig.load(), {
          publisher: publisher('inference'),
          ledger: new InMemoryProcessedMessageStore(),
          ...(options.simulator ? { simulator: options.simulator } : {}),
        }),
        { http: false },
      )),
    ),
  );
  apps.push(await createStageApp(stage('cache', CacheModule.register({ publisher: publisher('cache'), store: new MemoryCacheStore(), defaultTtlSeconds: 3600 }, { http: false }))));
  apps.push(
    await createStageApp(
      stage('guardrail', GuardrailModule.register({
        publisher: publisher('guardrail'),
        limits: { maxInputChars: 200_000, maxVariableChars: 100_000 },
        modelDetectors: new ModelDetectorRegistry(modelDetectorsFrom(process.env.GUARDRAIL_MODEL_DETECTORS)),
      }, { http: false })),
    ),
  );
  // Replicas share the registry and the request ledger, as they share Postgres when distributed;
  // each has its own HTTP port and its own consumer group for outcomes.
  const ledger = new InMemoryProcessedMessageStore();
  const urls: string[] = [];
  for (let replica = 0; replica < (options.ingressReplicas ?? 1); replica++) {
    const ingress = await createStageApp(
      stage('ingress', IngressModule.register({
        transport,
        publisher: publisher('ingress'),
        registry: new TypeormPromptRegistryRepository(dataSource),
        tenants: new TypeormTenantRepository(dataSource),
        ledger,
        instanceId: randomUUID(),
        limits: { defaultTimeoutMs: 30_000, maxTimeoutMs: 600_000, defaultMaxTokens: 512 },
        concurrency,
      })),
    );
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
    stop(stopOptions = {}) {
      return (stopping ??= (async () => {
        const report = await stopStageApps([...apps].reverse(), { graceMs: stopOptions.graceMs ?? 0, wholePipeline: true });
        await transport.close();
        await dataSource.destroy();
        await pg.stop();
        return report;
      })());
    },
  };
}
