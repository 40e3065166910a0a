import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { AlertScheduler } from './alerts/alert.scheduler.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { HistoryScheduler } from './history/history.scheduler.js';
import { ConsumerLagMonitor } from './lag/consumer-lag.monitor.js';
import { MetricsStageController } from './metrics.controller.js';
import { RecordMetricsUseCase } from './record/record-metrics.usecase.js';
import { METRICS_DEPS, type MetricsDeps } from './metrics.tokens.js';

@Module({})
export class MetricsModule {
  static register(deps: MetricsDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: MetricsModule,
      // Without its own HTTP app (embedded), the host mounts the dashboard: DashboardModule.mountOn.
      imports: options.http === false ? [] : [ObservabilityModule, DashboardModule.register(deps)],
      controllers: [MetricsStageController],
      providers: [{ provide: METRICS_DEPS, useValue: deps }, RecordMetricsUseCase, AlertScheduler, HistoryScheduler, ConsumerLagMonitor],
    };
  }
}
