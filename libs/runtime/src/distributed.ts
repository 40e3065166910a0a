import type { DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ALL_TOPICS } from '#contracts';
import { KafkaTransport, Publisher, type Transport } from '#messaging';
import { createLogger, registerReadinessCheck } from '#observability';
import { openDataSource, startLedgerPruner, TypeormProcessedMessageStore } from '#persistence';
import { exitGracefullyOnSignals, stopStageApps } from './graceful-stop.js';
import { EX_PORT_IN_USE, exitIfPortInUse, isAddressInUse, portInUseMessage } from './port-check.js';
import { createStageApp } from './stage-app.js';

/** The settings every distributed service shares (the common part of its parsed config). */
export interface DistributedSettings {
  KAFKA_BROKERS?: string[] | readonly string[] | undefined;
  KAFKA_CLIENT_ID: string;
  KAFKA_PARTITIONS: number;
  KAFKA_FETCH_MIN_BYTES?: number;
  KAFKA_FETCH_MAX_WAIT_MS?: number;
  DATABASE_URL?: string | undefined;
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

/**
 * Runs one service on its own: Kafka transport, topics ensured, Postgres when needed, HTTP for
 * health and metrics on `BALLAST_PORT`, and a graceful stop on SIGTERM/SIGINT: readiness fails and
 * new HTTP requests get 503 at once, consuming stops (in-flight records finish and commit), HTTP
 * requests in flight get `BALLAST_SHUTDOWN_GRACE_MS`, then everything closes and the process exits 0.
 */
export async function runDistributedService(
  stage: string,
  settings: DistributedSettings,
  build: (platform: Platform) => DynamicModule | Promise<DynamicModule>,
  options: { needsDatabase?: boolean; bodyLimit?: number } = {},
): Promise<void> {
  await exitIfPortInUse(settings.BALLAST_PORT, '0.0.0.0');
  const transport = new KafkaTransport({
    brokers: [...(settings.KAFKA_BROKERS ?? [])],
    clientId: `${settings.KAFKA_CLIENT_ID}-${stage}`,
    ...(settings.KAFKA_FETCH_MIN_BYTES ? { minBytes: settings.KAFKA_FETCH_MIN_BYTES } : {}),
    ...(settings.KAFKA_FETCH_MAX_WAIT_MS ? { maxWaitTimeInMs: settings.KAFKA_FETCH_MAX_WAIT_MS } : {}),
  });
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: settings.KAFKA_PARTITIONS })));
  const dataSource = options.needsDatabase && settings.DATABASE_URL ? await openDataSource({ url: settings.DATABASE_URL, applicationName: `ballast-${stage}` }) : null;
  if (dataSource) registerReadinessCheck('postgres', async () => (await dataSource.query('select 1')).length === 1);
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
  const app = await createStageApp({
    module: await build(platform),
    transport,
    stage,
    concurrency: settings.BALLAST_CONSUMER_CONCURRENCY,
    retry: { maxAttempts: settings.BALLAST_MAX_RETRIES + 1, baseDelayMs: 100, maxDelayMs: 5_000 },
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  try {
    await app.listen(settings.BALLAST_PORT, '0.0.0.0');
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    process.stderr.write(`${portInUseMessage(settings.BALLAST_PORT)}\n`);
    process.exit(EX_PORT_IN_USE);
  }
  process.stdout.write(`${JSON.stringify({ level: 'info', service: stage, msg: 'ready', port: settings.BALLAST_PORT })}\n`);

  const graceMs = settings.BALLAST_SHUTDOWN_GRACE_MS;
  exitGracefullyOnSignals({
    graceMs,
    logger: createLogger({ service: stage }),
    stop: async () => {
      await ledgerPruner?.stop();
      const report = await stopStageApps([app], { graceMs, wholePipeline: false });
      await transport.close();
      await dataSource?.destroy();
      return report;
    },
  });
}
