import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { MetricsStageController } from './metrics.controller.js';
import { RecordMetricsUseCase } from './record/record-metrics.usecase.js';

@Module({})
export class MetricsModule {
  static register(options: { http?: boolean } = {}): DynamicModule {
    return {
      module: MetricsModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [MetricsStageController],
      providers: [RecordMetricsUseCase],
    };
  }
}
