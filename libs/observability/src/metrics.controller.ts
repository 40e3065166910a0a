import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry, renderMetrics } from './metrics.registry.js';

/** Prometheus scrape endpoint. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return (await renderMetrics()).body;
  }
}
