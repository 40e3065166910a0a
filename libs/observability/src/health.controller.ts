import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { checkReadiness, type ReadinessReport } from './readiness.registry.js';

interface StatusReply {
  status(code: number): unknown;
}

/** Liveness and readiness probes for Kubernetes and the embedded runner. */
@Controller('health')
export class HealthController {
  /** The event loop answers: nothing more, so a slow dependency never gets the pod restarted. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every readiness check passes, else 503; the body lists each check either way. */
  @Get('ready')
  ready(@Res({ passthrough: true }) reply: StatusReply): Promise<ReadinessReport> {
    return this.report(reply);
  }

  /** What people and load balancers try first: the same as `/health/ready`. */
  @Get()
  health(@Res({ passthrough: true }) reply: StatusReply): Promise<ReadinessReport> {
    return this.report(reply);
  }

  // The status is set on the reply, not thrown: an app's exception filter would replace the report.
  private async report(reply: StatusReply): Promise<ReadinessReport> {
    const report = await checkReadiness();
    if (!report.ready) reply.status(503);
    return report;
  }
}
