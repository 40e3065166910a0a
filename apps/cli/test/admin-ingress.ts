import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { InMemoryProcessedMessageStore, InMemoryPromptRegistryRepository, InMemoryTenantRepository } from '#persistence';
import { createStageApp } from '#runtime';
import { IngressModule } from '../../../services/ingress/src/ingress.module.js';
import type { IngressDeps } from '../../../services/ingress/src/ingress.tokens.js';

/** An ingress with its admin API on a free port, over in-memory stores, for the CLI commands that call it. */
export async function startAdminIngress(adminKey: string): Promise<{ url: string; tenants: InMemoryTenantRepository; close(): Promise<void> }> {
  const transport = new MemoryTransport(new MemoryBroker(1));
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: 1 })));
  const tenants = new InMemoryTenantRepository();
  const deps: IngressDeps = {
    transport,
    publisher: new Publisher(transport, 'ingress'),
    registry: new InMemoryPromptRegistryRepository(),
    tenants,
    ledger: new InMemoryProcessedMessageStore(),
    instanceId: 'cli-admin-test',
    limits: { defaultTimeoutMs: 2_000, maxTimeoutMs: 5_000, defaultMaxTokens: 64 },
    concurrency: 2,
    adminKey,
  };
  const app: NestFastifyApplication = await createStageApp({ module: IngressModule.register(deps), transport, stage: 'ingress', concurrency: 2 });
  await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, tenants, close: () => app.close() };
}
