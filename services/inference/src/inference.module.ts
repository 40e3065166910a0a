import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { CompleteUseCase } from './complete/complete.usecase.js';
import { InferenceController } from './inference.controller.js';
import { INFERENCE_DEPS, type InferenceDeps } from './inference.tokens.js';
import { StreamCalls } from './stream/stream-calls.js';
import { StreamCancelListener } from './stream/stream-cancel.listener.js';

@Module({})
export class InferenceModule {
  static register(deps: InferenceDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: InferenceModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [InferenceController],
      providers: [{ provide: INFERENCE_DEPS, useValue: deps }, StreamCalls, CompleteUseCase, StreamCancelListener],
    };
  }
}
