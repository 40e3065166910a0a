import {
  openDataSource,
  TypeormEvalRunRepository,
  TypeormAlertStateRepository,
  TypeormMetricsHistoryRepository,
  TypeormProcessedMessageStore,
  TypeormPromptRegistryRepository,
  TypeormTenantRepository,
} from '#persistence';
import type { DataSource } from 'typeorm';
import { describeDataSourceContract } from './data-source.contract.js';
import { describeEvalRunRepositoryContract } from './eval-run-repository.contract.js';
import { describeAlertStateRepositoryContract } from './alert-state-repository.contract.js';
import { describeMetricsHistoryRepositoryContract } from './metrics-history-repository.contract.js';
import { describeProcessedMessageStoreContract, sqlSubject } from './processed-message-store.contract.js';
import { describePromptRegistryContract } from './prompt-registry.contract.js';
import { describeTenantRepositoryContract } from './tenant-repository.contract.js';

const url = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
let ds: DataSource;

beforeAll(async () => {
  try {
    ds = await openDataSource({ url, connectTimeoutMs: 3000 });
  } catch (cause) {
    const where = url.replace(/\/\/[^@/]*@/, '//***@');
    throw new Error(
      `Postgres is not reachable at ${where}: ${(cause as Error).message}. ` +
        'Start it (see docs/persistence.md) or set DATABASE_URL; the infra tests need a real Postgres.',
      { cause },
    );
  }
}, 30_000);

afterAll(async () => {
  await ds?.destroy();
});

describePromptRegistryContract('TypeORM on Postgres', () => new TypeormPromptRegistryRepository(ds), () => ds);
describeTenantRepositoryContract('TypeORM on Postgres', () => ({
  tenants: new TypeormTenantRepository(ds),
  storedKeyValues: async () => {
    const rows: { key_hash: string; prefix: string }[] = await ds.query('SELECT key_hash, prefix FROM api_keys');
    return rows.flatMap((r) => [r.key_hash, r.prefix]);
  },
}));
describeProcessedMessageStoreContract('TypeORM on Postgres', () => sqlSubject(ds, new TypeormProcessedMessageStore(ds)));
describeProcessedMessageStoreContract(
  'TypeORM on Postgres, one batch of at most 7 calls in flight',
  () => sqlSubject(ds, new TypeormProcessedMessageStore(ds, { maxInFlight: 1, maxBatchSize: 7 })),
);
describeDataSourceContract('Postgres', () => ds);
describeEvalRunRepositoryContract('TypeORM on Postgres', () => new TypeormEvalRunRepository(ds));
describeMetricsHistoryRepositoryContract('TypeORM on Postgres', () => new TypeormMetricsHistoryRepository(ds));
describeAlertStateRepositoryContract('TypeORM on Postgres', () => new TypeormAlertStateRepository(ds));
