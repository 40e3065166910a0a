import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, type Envelope } from '#contracts';
import { StageConsumer } from '#messaging';
import { INFERENCE_DEPS, type InferenceDeps } from '../inference.tokens.js';
import { StreamCalls } from './stream-calls.js';

/**
 * Each inference replica reads `ballast.stream-cancels.v1` in its own consumer group, since the
 * call a cancel names runs on whichever replica took the request; the others ignore it.
 */
@Injectable()
export class StreamCancelListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;

  constructor(
    @Inject(INFERENCE_DEPS) private readonly deps: InferenceDeps,
    private readonly calls: StreamCalls,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.deps.transport) return;
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'inference',
      groupId: `inference-cancels-${this.deps.instanceId ?? 'local'}`,
      fromBeginning: false,
      concurrency: 16,
      handlers: new Map([[TOPICS.streamCancels, async (e: Envelope<unknown>) => void this.calls.cancel(e.tenantId, e.requestId)]]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
