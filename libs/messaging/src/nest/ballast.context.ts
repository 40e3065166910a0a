import { BaseRpcContext } from '@nestjs/microservices';
import type { MessageContext } from '../stage-consumer.js';

/** What a handler can ask about the record it is handling (`@Ctx() ctx: BallastContext`). */
export class BallastContext extends BaseRpcContext<[MessageContext]> {
  get message(): MessageContext {
    return this.getArgByIndex(0);
  }
}
