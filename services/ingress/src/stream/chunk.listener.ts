import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, type Envelope, type StreamChunk } from '#contracts';
import { StageConsumer } from '#messaging';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { ChunkWaiters } from './chunk.waiters.js';

/**
 * Each ingress replica reads `ballast.chunks.v1` in its own consumer group, as it reads outcomes:
 * the client of a stream may be connected to any replica, so every replica sees every chunk and
 * keeps those of the streams it holds.
 */
@Injectable()
export class ChunkListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;

  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly waiters: ChunkWaiters,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'ingress',
      groupId: `ingress-chunks-${this.deps.instanceId}`,
      fromBeginning: false,
      concurrency: this.deps.concurrency,
      handlers: new Map([[TOPICS.chunks, async (e: Envelope<unknown>) => this.waiters.deliver(e.tenantId, e.requestId, e.payload as StreamChunk)]]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
