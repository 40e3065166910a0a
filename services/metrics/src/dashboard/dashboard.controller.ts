import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { metricsAccess } from '#observability';
import { METRICS_DEPS, type MetricsDeps } from '../metrics.tokens.js';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard.page.js';
import { dashboardSeries, parseRange } from './dashboard.series.js';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

const require = createRequire(import.meta.url);
let vendor: { js: string; css: string } | undefined;
/** uPlot from the installed package (no CDN), read once. */
function uplot(): { js: string; css: string } {
  return (vendor ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  });
}

const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

function send(reply: Reply, status: number, type: string, body: unknown): void {
  reply.status(status).header('Content-Type', type);
  for (const [name, value] of Object.entries(PAGE_HEADERS)) reply.header(name, value);
  reply.send(body);
}

const apiError = (code: string, message: string) => ({ error: { code, message, type: 'invalid_request_error' } });

/**
 * The operator's dashboard: a page of uPlot charts over `/dashboard/api/series`. The page and its
 * scripts are public; the data is guarded like `/metrics` (with `BALLAST_METRICS_TOKEN` it needs
 * `Authorization: Bearer <token>`; without one it serves totals, never per-tenant detail).
 */
@Controller('dashboard')
export class DashboardController {
  constructor(@Inject(METRICS_DEPS) private readonly deps: MetricsDeps) {}

  @Get()
  page(@Res() reply: Reply): void {
    send(reply, 200, 'text/html; charset=utf-8', DASHBOARD_HTML);
  }

  @Get('app.js')
  script(@Res() reply: Reply): void {
    send(reply, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
  }

  @Get('vendor/uplot.js')
  uplotScript(@Res() reply: Reply): void {
    send(reply, 200, 'text/javascript; charset=utf-8', uplot().js);
  }

  @Get('vendor/uplot.css')
  uplotStyle(@Res() reply: Reply): void {
    send(reply, 200, 'text/css; charset=utf-8', uplot().css);
  }

  @Get('api/series')
  async series(
    @Headers('authorization') authorization: string | undefined,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Res() reply: Reply,
  ): Promise<void> {
    const access = metricsAccess(authorization);
    if (access === 'refused') {
      reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
      send(reply, 401, 'application/json; charset=utf-8', apiError(ERROR_CODES.unauthorized, 'send the metrics token as "Authorization: Bearer <BALLAST_METRICS_TOKEN>"'));
      return;
    }
    try {
      const range = parseRange({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, this.deps.clock.now());
      send(reply, 200, 'application/json; charset=utf-8', await dashboardSeries(this.deps.history, this.deps.alerts, range, access));
    } catch (error) {
      if (!(error instanceof BallastError)) throw error;
      send(reply, 400, 'application/json; charset=utf-8', apiError(error.code, error.message));
    }
  }
}
