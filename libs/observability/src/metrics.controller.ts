import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ERROR_CODES } from '#contracts';
import { metricsAccess, metricsRegistry, renderMetrics } from './metrics.registry.js';

interface ScrapeReply {
  status(code: number): ScrapeReply;
  header(name: string, value: string): ScrapeReply;
  send(body: unknown): void;
}

/**
 * Prometheus scrape endpoint. With `BALLAST_METRICS_TOKEN` it needs `Authorization: Bearer <token>`;
 * without one it serves every series except per-tenant ones.
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: ScrapeReply): Promise<void> {
    reply.header('Cache-Control', 'no-store');
    const access = metricsAccess(authorization);
    if (access === 'refused') {
      reply
        .status(401)
        .header('WWW-Authenticate', 'Bearer realm="metrics"')
        .header('Content-Type', 'application/json; charset=utf-8')
        .send({ error: { code: ERROR_CODES.unauthorized, message: 'send the metrics token as "Authorization: Bearer <BALLAST_METRICS_TOKEN>"', type: 'invalid_request_error' } });
      return;
    }
    const { body } = await renderMetrics({ perTenant: access === 'all' });
    reply.status(200).header('Content-Type', metricsRegistry.contentType).send(body);
  }
}
