import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type PipelineState } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { CheckInputUseCase } from './input/check-input.usecase.js';
import { CheckOutputUseCase } from './output/check-output.usecase.js';

@StageController()
export class GuardrailController {
  constructor(
    private readonly checkInput: CheckInputUseCase,
    private readonly checkOutput: CheckOutputUseCase,
  ) {}

  @OnTopic(TOPICS.guardInput)
  onInput(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.checkInput.execute(envelope);
  }

  @OnTopic(TOPICS.guardOutput)
  onOutput(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.checkOutput.execute(envelope);
  }
}
