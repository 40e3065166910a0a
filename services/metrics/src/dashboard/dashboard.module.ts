import { Module, type DynamicModule } from '@nestjs/common';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';
import { DashboardController } from './dashboard.controller.js';

/** The host of the dashboard beside another module's routes (embedded mode: ingress's port). */
@Module({})
class DashboardHostModule {}

/** `/dashboard` and its JSON API over the metrics stage's history and alerts. */
@Module({})
export class DashboardModule {
  static register(deps: MetricsDeps): DynamicModule {
    return { module: DashboardModule, controllers: [DashboardController], providers: [{ provide: METRICS_DEPS, useValue: deps }] };
  }

  /**
   * `host` with the dashboard mounted on its HTTP app, for embedded mode where the metrics stage has
   * no port of its own: `createStageApp({ module: DashboardModule.mountOn(IngressModule.register(...), metricsDeps) })`.
   */
  static mountOn(host: DynamicModule, deps: MetricsDeps): DynamicModule {
    return { module: DashboardHostModule, imports: [host, DashboardModule.register(deps)] };
  }
}
