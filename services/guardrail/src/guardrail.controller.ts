import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type ModelChunk, type PipelineState } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { CheckInputUseCase } from './input/check-input.usecase.js';
import { CheckOutputUseCase } from './output/check-output.usecase.js';
import { StreamGuardUseCase } from './stream/stream-guard.usecase.js';

@StageController()
export class GuardrailController {
  constructor(
    private readonly checkInput: CheckInputUseCase,
    private readonly checkOutput: CheckOutputUseCase,
    private readonly streamGuard: StreamGuardUseCase,
  ) {}

  @OnTopic(TOPICS.guardInput)
  onInput(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.checkInput.execute(envelope);
  }

  @OnTopic(TOPICS.guardOutput)
  onOutput(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.checkOutput.execute(envelope);
  }

  @OnTopic(TOPICS.modelChunks)
  onModelChunk(@Payload() envelope: Envelope<ModelChunk>): Promise<void> {
    return this.streamGuard.execute(envelope);
  }
}
