import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, type Envelope, type RegistryEvent } from '#contracts';
import { StageConsumer } from '#messaging';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { PromptResolver } from '../prompts/prompt.resolver.js';

/**
 * Drops this replica's cached look-ups of a prompt when `ballast.registry.v1` names it. Each replica
 * has its own consumer group, so every replica sees every change; it starts at the newest record,
 * since a replica that just started has nothing cached yet.
 */
@Injectable()
export class RegistryEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;

  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly prompts: PromptResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'ingress',
      groupId: `ingress-registry-${this.deps.instanceId}`,
      fromBeginning: false,
      concurrency: 1,
      handlers: new Map([[TOPICS.registry, async (e: Envelope<unknown>) => this.prompts.invalidate((e.payload as RegistryEvent).name)]]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
