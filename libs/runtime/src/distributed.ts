import type { DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ALL_TOPICS } from '#contracts';
import { KafkaTransport, kafkaSecurityFrom, Publisher, type KafkaSecuritySettings, type Transport } from '#messaging';
import { createLogger, registerReadinessCheck } from '#observability';
import { openDataSource, startLedgerPruner, TypeormProcessedMessageStore } from '#persistence';
import { exitGracefullyOnSignals, stopStageApps, type DrainReport } from './graceful-stop.js';
import { EX_PORT_IN_USE, exitIfPortInUse, isAddressInUse, portInUseMessage } from './port-check.js';
import { createStageApp } from './stage-app.js';

/** The settings every distributed service shares (the common part of its parsed config). */
export interface DistributedSettings extends KafkaSecuritySettings {
  KAFKA_BROKERS?: string[] | readonly string[] | undefined;
  KAFKA_CLIENT_ID: string;
  KAFKA_PARTITIONS: number;
  KAFKA_FETCH_MIN_BYTES?: number;
  KAFKA_FETCH_MAX_WAIT_MS?: number;
  DATABASE_URL?: string | undefined;
  DATABASE_TLS_CA_FILE?: string | undefined;
  BALLAST_PORT: number;
  BALLAST_CONSUMER_CONCURRENCY: number;
  BALLAST_MAX_RETRIES: number;
  BALLAST_LEDGER_RETENTION_HOURS: number;
  BALLAST_LEDGER_PRUNE_INTERVAL_MS: number;
  BALLAST_SHUTDOWN_GRACE_MS: number;
}

export interface Platform {
  transport: Transport;
  publisher: Publisher;
  /** Present when the service asked for Postgres. */
  dataSource: DataSource | null;
}

/** One service started over Kafka (and Postgres when it asked), serving HTTP; `stop()` drains and closes it. */
export interface DistributedStage {
  platform: Platform;
  /** Drains in-flight work (HTTP and records, `BALLAST_SHUTDOWN_GRACE_MS`), then closes the app, the Kafka clients and the database. */
  stop(): Promise<DrainReport>;
}

/**
 * Starts one service the way its `main.ts` does, without owning the process: Kafka transport,
 * topics ensured, Postgres when needed (with the ledger pruner), the Nest app consuming its topics
 * and listening on `BALLAST_PORT`. Tests start several replicas of a stage in one process with it.
 */
export async function startDistributedStage(
  stage: string,
  settings: DistributedSettings,
  build: (platform: Platform) => DynamicModule | Promise<DynamicModule>,
  options: { needsDatabase?: boolean; bodyLimit?: number; host?: string } = {},
): Promise<DistributedStage> {
  const transport = new KafkaTransport({
    brokers: [...(settings.KAFKA_BROKERS ?? [])],
    clientId: `${settings.KAFKA_CLIENT_ID}-${stage}`,
    ...kafkaSecurityFrom(settings),
    ...(settings.KAFKA_FETCH_MIN_BYTES ? { minBytes: settings.KAFKA_FETCH_MIN_BYTES } : {}),
    ...(settings.KAFKA_FETCH_MAX_WAIT_MS ? { maxWaitTimeInMs: settings.KAFKA_FETCH_MAX_WAIT_MS } : {}),
  });
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: settings.KAFKA_PARTITIONS })));
  const dataSource = options.needsDatabase && settings.DATABASE_URL ? await openDataSource({ url: settings.DATABASE_URL, applicationName: `ballast-${stage}`, tlsCaFile: settings.DATABASE_TLS_CA_FILE }) : null;
  const removeReadiness = dataSource ? registerReadinessCheck('postgres', async () => (await dataSource.query('select 1')).length === 1) : null;
  // A consumer kafkajs gave up on leaves its partitions to other replicas; the pod says so on /health/ready.
  const removeConsumerReadiness = registerReadinessCheck('kafka.consumers', () => transport.consumersRunning());
  // Every replica prunes the shared ledger; the runs are jittered and overlapping ones are harmless.
  const ledgerPruner = dataSource
    ? startLedgerPruner({
        store: new TypeormProcessedMessageStore(dataSource),
        retentionMs: settings.BALLAST_LEDGER_RETENTION_HOURS * 3_600_000,
        intervalMs: settings.BALLAST_LEDGER_PRUNE_INTERVAL_MS,
        log: createLogger({ service: stage }).child({ logger: 'ballast.ledger-pruner' }),
      })
    : null;
  const platform: Platform = { transport, publisher: new Publisher(transport, stage), dataSource };
  const closeAll = async () => {
    await ledgerPruner?.stop();
    await transport.close();
    removeReadiness?.();
    removeConsumerReadiness();
    await dataSource?.destroy();
  };
  let app: Awaited<ReturnType<typeof createStageApp>>;
  try {
    app = await createStageApp({
      module: await build(platform),
      transport,
      stage,
      concurrency: settings.BALLAST_CONSUMER_CONCURRENCY,
      retry: { maxAttempts: settings.BALLAST_MAX_RETRIES + 1, baseDelayMs: 100, maxDelayMs: 5_000 },
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    });
    await app.listen(settings.BALLAST_PORT, options.host ?? '0.0.0.0');
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
  return {
    platform,
    stop: async () => {
      const report = await stopStageApps([app], { graceMs: settings.BALLAST_SHUTDOWN_GRACE_MS, wholePipeline: false });
      await closeAll();
      return report;
    },
  };
}

/**
 * Runs one service on its own (`startDistributedStage`) and owns the process: it exits when the
 * port is taken, and stops gracefully on SIGTERM/SIGINT: readiness fails and new HTTP requests get
 * 503 at once, consuming stops (in-flight records finish and commit), HTTP requests in flight get
 * `BALLAST_SHUTDOWN_GRACE_MS`, then everything closes and the process exits 0.
 */
export async function runDistributedService(
  stage: string,
  settings: DistributedSettings,
  build: (platform: Platform) => DynamicModule | Promise<DynamicModule>,
  options: { needsDatabase?: boolean; bodyLimit?: number } = {},
): Promise<void> {
  await exitIfPortInUse(settings.BALLAST_PORT, '0.0.0.0');
  let running: DistributedStage;
  try {
    running = await startDistributedStage(stage, settings, build, options);
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    process.stderr.write(`${portInUseMessage(settings.BALLAST_PORT)}\n`);
    process.exit(EX_PORT_IN_USE);
  }
  process.stdout.write(`${JSON.stringify({ level: 'info', service: stage, msg: 'ready', port: settings.BALLAST_PORT })}\n`);
  exitGracefullyOnSignals({ graceMs: settings.BALLAST_SHUTDOWN_GRACE_MS, logger: createLogger({ service: stage }), stop: () => running.stop() });
}
