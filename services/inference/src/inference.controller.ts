import { Ctx, Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type PipelineState } from '#contracts';
import { BallastContext, OnTopic, StageController } from '#messaging';
import { CompleteUseCase } from './complete/complete.usecase.js';

@StageController()
export class InferenceController {
  constructor(private readonly complete: CompleteUseCase) {}

  @OnTopic(TOPICS.inference)
  onInference(@Payload() envelope: Envelope<PipelineState>, @Ctx() ctx: BallastContext): Promise<void> {
    return this.complete.execute(envelope, ctx.message);
  }
}
