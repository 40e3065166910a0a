/**
 * Opens the prompt registry for a CLI command: Postgres at DATABASE_URL, otherwise the embedded
 * data dir (PGlite in BALLAST_DATA_DIR); registry events go to Kafka when KAFKA_BROKERS is set.
 */
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import type { PromptRegistryRepository, PromptRegistryService } from '#persistence';
import { CliError, oneLine } from '../cli.js';

export const REGISTRY_ENVIRONMENT = `
Environment:
  DATABASE_URL      the registry's Postgres (postgres://user:password@host:port/database)
  BALLAST_DATA_DIR  without DATABASE_URL: the embedded data dir (PGlite, default .data); not while npm start runs on it
  KAFKA_BROKERS     host:port,...: emit registry events so a running stack reacts at once
  BALLAST_ACTOR     who the label history names (default: your user name)`;

export interface RegistrySession {
  registry: PromptRegistryRepository;
  changes: PromptRegistryService;
  /** The registry's database (eval runs live there too). */
  dataSource: DataSource;
  /** Where the registry lives, without credentials, for messages. */
  where: string;
  /** Whether changes reach running services as events (KAFKA_BROKERS). */
  emits: boolean;
  close(): Promise<void>;
}

export async function openRegistrySession(env: NodeJS.ProcessEnv = process.env): Promise<RegistrySession> {
  const { DataDirInUseError, openDataSource, startEmbeddedPostgres, TypeormPromptRegistryRepository, PromptRegistryService, NO_REGISTRY_EVENTS, EvalRunPromotionGate, TypeormEvalRunRepository } =
    await import('#persistence');
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let dataSource;
    let where: string;
    if (env['DATABASE_URL']) {
      where = withoutCredentials(env['DATABASE_URL']);
      dataSource = await openDataSource({ url: env['DATABASE_URL'], poolSize: 2, applicationName: 'ballast-cli' }).catch((error: unknown) => {
        throw new CliError(`cannot open the database at ${where}: ${oneLine(error)}`);
      });
    } else {
      const dataDir = env['BALLAST_DATA_DIR'] || '.data';
      where = `the embedded data dir ${dataDir} (set DATABASE_URL for Postgres)`;
      const pg = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => {
        throw new CliError(error instanceof DataDirInUseError ? error.message : `cannot open ${where}: ${oneLine(error)}`);
      });
      closers.push(() => pg.stop());
      dataSource = await openDataSource({ url: pg.url, poolSize: pg.maxConnections, applicationName: 'ballast-cli' });
    }
    closers.push(() => dataSource.destroy());
    const events = env['KAFKA_BROKERS'] ? await kafkaEvents(env['KAFKA_BROKERS'], env['KAFKA_CLIENT_ID'] || 'ballast', closers) : null;
    const registry = new TypeormPromptRegistryRepository(dataSource);
    // Promotions need a passing eval run (ballast eval run) unless forced with a reason.
    const gate = new EvalRunPromotionGate(new TypeormEvalRunRepository(dataSource));
    return { registry, changes: new PromptRegistryService(registry, events ?? NO_REGISTRY_EVENTS, gate), dataSource, where, emits: events !== null, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Who the label history names: BALLAST_ACTOR, else the user running the command. */
export function actorFrom(env: NodeJS.ProcessEnv = process.env): string {
  if (env['BALLAST_ACTOR']?.trim()) return env['BALLAST_ACTOR'].trim();
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

async function kafkaEvents(brokers: string, clientId: string, closers: (() => Promise<void>)[]) {
  const { KafkaTransport, Publisher } = await import('#messaging');
  const { PublisherRegistryEvents } = await import('../../../../services/ingress/src/registry/publisher.registry-events.js');
  const list = brokers.split(',').map((b) => b.trim()).filter(Boolean);
  const transport = new KafkaTransport({ brokers: list, clientId: `${clientId}-cli` });
  closers.push(() => transport.close());
  return new PublisherRegistryEvents(new Publisher(transport, 'cli'));
}

// The URL's password must not reach a terminal log.
export function withoutCredentials(raw: string): string {
  try {
    const parsed = new URL(raw);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    throw new CliError('DATABASE_URL is not a URL: expected postgres://user:password@host:port/database');
  }
}
