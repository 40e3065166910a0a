import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { GuardrailController } from './guardrail.controller.js';
import { GuardrailEngine } from './guardrail.engine.js';
import { GUARDRAIL_DEPS, type GuardrailDeps } from './guardrail.tokens.js';
import { CheckInputUseCase } from './input/check-input.usecase.js';
import { CheckOutputUseCase } from './output/check-output.usecase.js';
import { StreamGuardUseCase } from './stream/stream-guard.usecase.js';

@Module({})
export class GuardrailModule {
  static register(deps: GuardrailDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: GuardrailModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [GuardrailController],
      providers: [
        { provide: GUARDRAIL_DEPS, useValue: deps },
        {
          provide: GuardrailEngine,
          useFactory: () =>
            new GuardrailEngine({
              limits: deps.limits,
              ...(deps.modelDetectors ? { models: deps.modelDetectors } : {}),
              ...(deps.injectionClassifier ? { classifier: deps.injectionClassifier } : {}),
            }),
        },
        CheckInputUseCase,
        CheckOutputUseCase,
        StreamGuardUseCase,
      ],
    };
  }
}
