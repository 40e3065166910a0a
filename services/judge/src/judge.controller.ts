import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type LlmResponse } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { JudgeResponseUseCase } from './score/judge-response.usecase.js';

@StageController()
export class JudgeController {
  constructor(private readonly judge: JudgeResponseUseCase) {}

  @OnTopic(TOPICS.responses)
  onResponse(@Payload() envelope: Envelope<LlmResponse>): Promise<void> {
    return this.judge.execute(envelope);
  }
}
