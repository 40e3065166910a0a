import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { JudgeController } from './judge.controller.js';
import { JUDGE_DEPS, type JudgeDeps } from './judge.tokens.js';
import { JudgeResponseUseCase } from './score/judge-response.usecase.js';

@Module({})
export class JudgeModule {
  static register(deps: JudgeDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: JudgeModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [JudgeController],
      providers: [{ provide: JUDGE_DEPS, useValue: deps }, JudgeResponseUseCase],
    };
  }
}
