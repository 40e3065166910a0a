import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile, UseFilters, UseGuards } from '@nestjs/common';
import { BallastError, ERROR_CODES, type LlmResponse } from '#contracts';
import type { Tenant } from '#persistence';
import { RequestLedger } from '../outcomes/request.ledger.js';
import { SubmitAndWaitService } from '../submit/submit-and-wait.service.js';
import { NativeEventSink } from '../stream/native.sink.js';
import { StreamService } from '../stream/stream.service.js';
import { ApiErrorFilter } from './api-error.filter.js';
import { parseRequestBody } from './request-body.js';
import { withRequestSpan, type TracedHttpRequest } from './request-span.js';
import { TenantGuard } from './tenant.guard.js';

/** Marks an answer to a repeated request id: the stored outcome, not a new run. */
export const REPLAY_HEADER = 'x-ballast-replay';

export interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
}

/** Sets the headers every answer carries; `replay`: the outcome of an earlier submission of the same request. */
export function outcomeHeaders(reply: Reply, outcome: LlmResponse, replay = false): void {
  reply.header('x-ballast-request-id', outcome.requestId);
  if (replay) reply.header(REPLAY_HEADER, 'true');
  reply.header('x-ballast-cache', outcome.cache ?? 'miss');
  if (outcome.cacheSimilarity !== undefined) reply.header('x-ballast-cache-similarity', outcome.cacheSimilarity.toFixed(4));
  if (outcome.prompt) reply.header('x-ballast-prompt-version', String(outcome.prompt.version));
}

/** The native API: `LlmRequest` in, `LlmResponse` out. */
@Controller('v1/requests')
@UseGuards(TenantGuard)
@UseFilters(ApiErrorFilter)
export class RequestsController {
  constructor(
    private readonly submit: SubmitAndWaitService,
    private readonly ledger: RequestLedger,
    private readonly streams: StreamService,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Query('stream') stream: string | undefined,
    @Req() req: { tenant: Tenant; headers: Record<string, string | string[] | undefined> } & TracedHttpRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<LlmResponse | { requestId: string; status: 'pending'; location: string } | StreamableFile> {
    const request = parseRequestBody(body, req.tenant.id, req.headers);
    if (stream === 'true' || stream === '1') return withRequestSpan(req, '/v1/requests', request, () => this.streams.serve(request, req.tenant, reply, (write) => new NativeEventSink(write, request.requestId)));
    const result = await withRequestSpan(req, '/v1/requests', request, () => this.submit.run(request, req.tenant, wait === 'true' || wait === '1'));
    if ('outcome' in result) {
      outcomeHeaders(reply, result.outcome, result.replay);
      return result.outcome;
    }
    const location = `/v1/requests/${encodeURIComponent(result.pending)}`;
    reply.status(202).header('location', location).header('x-ballast-request-id', result.pending);
    if (result.replay) reply.header(REPLAY_HEADER, 'true');
    return { requestId: result.pending, status: 'pending', location };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: { tenant: Tenant }, @Res({ passthrough: true }) reply: Reply) {
    const outcome = await this.ledger.outcome(req.tenant.id, id);
    if (outcome) {
      outcomeHeaders(reply, outcome);
      return outcome;
    }
    if (await this.ledger.known(req.tenant.id, id)) {
      reply.status(202).header('x-ballast-request-id', id);
      return { requestId: id, status: 'pending' };
    }
    throw new BallastError(ERROR_CODES.invalidRequest, `no request "${id}" for this tenant`, { status: 404 });
  }
}
