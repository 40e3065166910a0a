import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { checkReadiness, type ReadinessReport } from './readiness.registry.js';

/** Liveness and readiness probes for Kubernetes and the embedded runner. */
@Controller('health')
export class HealthController {
  /** The event loop answers: nothing more, so a slow dependency never gets the pod restarted. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<ReadinessReport> {
    const report = await checkReadiness();
    if (!report.ready) throw new ServiceUnavailableException(report);
    return report;
  }
}
