import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type LlmRequest } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { SubmitRequestUseCase } from './submit-request.usecase.js';

/** Backends publish `LlmRequest` envelopes here; the outcome comes back on `responses` or `replyTo`. */
@StageController()
export class RequestsTopicController {
  constructor(private readonly submit: SubmitRequestUseCase) {}

  @OnTopic(TOPICS.requests)
  async onRequest(@Payload() envelope: Envelope<LlmRequest>): Promise<void> {
    await this.submit.execute(envelope.payload, null, new Date(envelope.createdAt));
  }
}
