import { InMemoryProcessedMessageStore, InMemoryPromptRegistryRepository, InMemoryTenantRepository } from '#persistence';
import { describeProcessedMessageStoreContract } from './processed-message-store.contract.js';
import { describePromptRegistryContract } from './prompt-registry.contract.js';
import { describeTenantRepositoryContract } from './tenant-repository.contract.js';

describePromptRegistryContract('in-memory fake', () => new InMemoryPromptRegistryRepository());

describeTenantRepositoryContract('in-memory fake', () => {
  const tenants = new InMemoryTenantRepository();
  return { tenants, storedKeyValues: async () => tenants.storedKeyHashes() };
});

describeProcessedMessageStoreContract('in-memory fake', () => new InMemoryProcessedMessageStore());
