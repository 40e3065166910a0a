import { InMemoryAlertStateRepository, InMemoryEvalRunRepository, InMemoryMetricsHistoryRepository, InMemoryProcessedMessageStore, InMemoryPromptRegistryRepository, InMemoryTenantRepository } from '#persistence';
import { describeEvalRunRepositoryContract } from './eval-run-repository.contract.js';
import { describeAlertStateRepositoryContract } from './alert-state-repository.contract.js';
import { describeMetricsHistoryRepositoryContract } from './metrics-history-repository.contract.js';
import { describeProcessedMessageStoreContract, type ProcessedMessageStoreSubject } from './processed-message-store.contract.js';
import { describePromptRegistryContract } from './prompt-registry.contract.js';
import { describeTenantRepositoryContract } from './tenant-repository.contract.js';

describePromptRegistryContract('in-memory fake', () => new InMemoryPromptRegistryRepository());
describeEvalRunRepositoryContract('in-memory fake', () => new InMemoryEvalRunRepository());
describeMetricsHistoryRepositoryContract('in-memory fake', () => new InMemoryMetricsHistoryRepository());
describeAlertStateRepositoryContract('in-memory fake', () => new InMemoryAlertStateRepository());

describeTenantRepositoryContract('in-memory fake', () => {
  const tenants = new InMemoryTenantRepository();
  return { tenants, storedKeyValues: async () => tenants.storedKeyHashes() };
});

describeProcessedMessageStoreContract('in-memory fake', (): ProcessedMessageStoreSubject => {
  // recordAt sets the store's clock back while it records.
  let recordingAt: Date | null = null;
  const store = new InMemoryProcessedMessageStore({ now: () => recordingAt ?? new Date() });
  return {
    store,
    async recordAt(createdAt, stage, requestIds) {
      recordingAt = createdAt;
      try {
        for (const requestId of requestIds) await store.record(stage, requestId, { requestId });
      } finally {
        recordingAt = null;
      }
    },
  };
});

describe('in-memory processed-message store', () => {
  it('forgets the oldest records beyond its capacity, and keeps the newest', async () => {
    const store = new InMemoryProcessedMessageStore({ maxEntries: 3 });
    for (const id of ['r1', 'r2', 'r3', 'r4']) await store.record('respond', id, { id });
    expect(await store.find('respond', 'r1')).toBeNull();
    expect((await store.find('respond', 'r4'))?.outcome).toEqual({ id: 'r4' });
    // A forgotten id is handled as new again.
    expect((await store.record('respond', 'r1', { id: 'again' })).stored).toBe(true);
    expect(await store.find('respond', 'r2')).toBeNull();
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new InMemoryProcessedMessageStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
