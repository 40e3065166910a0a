import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, type Envelope, type LlmResponse } from '#contracts';
import { StageConsumer } from '#messaging';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { OutcomeWaiters } from './outcome.waiters.js';
import { RequestLedger } from './request.ledger.js';

/**
 * Each ingress replica has its own consumer group on `responses`: every replica sees every outcome
 * (its HTTP waiters may be any of them). Registry changes have their own listener.
 */
@Injectable()
export class OutcomeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: StageConsumer;

  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly waiters: OutcomeWaiters,
    private readonly ledger: RequestLedger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StageConsumer(this.deps.transport, {
      stage: 'ingress',
      groupId: `ingress-replica-${this.deps.instanceId}`,
      fromBeginning: false,
      concurrency: this.deps.concurrency,
      handlers: new Map([
        [TOPICS.responses, async (e: Envelope<unknown>) => this.onOutcome(e.payload as LlmResponse)],
      ]),
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async onOutcome(response: LlmResponse): Promise<void> {
    const first = await this.ledger.recordOutcome(response);
    this.waiters.deliver(first);
  }
}
