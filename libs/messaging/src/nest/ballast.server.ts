import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { RetryPolicy } from '../retry-policy.js';
import { StageConsumer, type EnvelopeHandler } from '../stage-consumer.js';
import type { Transport } from '../transport.js';
import { BallastContext } from './ballast.context.js';

export interface BallastServerOptions {
  transport: Transport;
  /** Service name; also its consumer group. */
  stage: string;
  groupId?: string;
  concurrency: number;
  retry?: RetryPolicy;
  fromBeginning?: boolean;
}

/**
 * The Nest transport strategy for Ballast: `@OnTopic` handlers of a service become one
 * `StageConsumer` (one consumer group), so they get bounded concurrency with per-key order,
 * retries and dead letters instead of Nest's one-message-at-a-time Kafka server.
 */
export class BallastServer extends Server implements CustomTransportStrategy {
  private consumer?: StageConsumer;
  private closing?: Promise<void>;

  constructor(private readonly options: BallastServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const handlers = new Map<string, EnvelopeHandler>();
      for (const pattern of this.messageHandlers.keys()) {
        // Resolved once: Nest's lookup JSON.parses the pattern and throws for a plain topic name, per call.
        const handler = this.getHandlerByPattern(pattern)!;
        handlers.set(pattern, async (envelope, ctx) => {
          const result = await handler(envelope, new BallastContext([ctx]));
          return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
        });
      }
      if (handlers.size > 0) {
        this.consumer = new StageConsumer(this.options.transport, {
          stage: this.options.stage,
          groupId: this.options.groupId,
          handlers,
          concurrency: this.options.concurrency,
          retry: this.options.retry,
          fromBeginning: this.options.fromBeginning,
        });
        await this.consumer.start();
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Records this stage is handling right now. */
  get inFlight(): number {
    return this.consumer?.inFlight ?? 0;
  }

  /** Stops consuming: in-flight records finish and are committed first. A second call waits for the first. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.consumer?.stop();
      this.consumer = undefined;
    })());
  }

  on(): never {
    throw new Error('BallastServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.transport as T;
  }
}
