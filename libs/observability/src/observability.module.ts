import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Adds `GET /metrics`, `GET /health/live` and `GET /health/ready` to an HTTP app; readiness comes
 * from `registerReadinessCheck`. Importing it from several modules of one app maps the routes once.
 */
@Module({ controllers: [HealthController, MetricsController] })
export class ObservabilityModule {}
