import { Writable } from 'node:stream';
import type { ArgumentsHost } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { createLogger, shutdownTelemetry, startTelemetry } from '#observability';
import { ApiErrorFilter } from './api-error.filter.js';
import { withRequestSpan, type TracedHttpRequest } from './request-span.js';

/** A filter whose logger writes to memory, and what it answered and logged. */
function harness() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const filter = new ApiErrorFilter(createLogger({ service: 'ingress', destination: stream }));
  const answered: Array<{ status: number; body: unknown }> = [];
  const serve = (exception: unknown, req: Record<string, unknown>) => {
    const reply = { status: (status: number) => ({ send: (body: unknown) => answered.push({ status, body }) }) };
    const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => req }) } as unknown as ArgumentsHost;
    filter.catch(exception, host);
  };
  const lines = () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { serve, answered, lines };
}

describe('hardening 4: an unexpected error is logged once, with the request and trace ids', () => {
  beforeAll(() => startTelemetry({ serviceName: 'ingress', exporter: 'memory' }));
  afterAll(() => shutdownTelemetry());

  it('logs a 500 once with requestId and traceId, and without the body', async () => {
    const { serve, answered, lines } = harness();
    const body = { requestId: 'deep-7', variables: { secret: 'my card is 4111 1111 1111 1111' } };
    const req: TracedHttpRequest & Record<string, unknown> = { headers: {}, method: 'POST', url: '/v1/requests?wait=true', body, tenant: { id: 'demo' } };
    const failure = await withRequestSpan(req, '/v1/requests', { requestId: 'deep-7', tenantId: 'demo' }, async () => {
      throw new RangeError('Maximum call stack size exceeded');
    }).catch((e: unknown) => e);

    serve(failure, req);

    expect(answered).toEqual([{ status: 500, body: { error: { code: ERROR_CODES.internal, message: 'internal error', type: 'server_error' } } }]);
    const logged = lines();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', requestId: 'deep-7', traceId: req.ballast!.traceId, tenantId: 'demo', err: { type: 'RangeError' } });
    expect(req.ballast!.traceId).toMatch(/^(?!0{32})[\da-f]{32}$/);
    expect(JSON.stringify(logged[0])).not.toContain('4111');
  });

  it('takes the trace id from the client’s traceparent when the error came before the request was parsed', () => {
    const { serve, lines } = harness();
    serve(new TypeError('boom'), { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'idempotency-key': 'chat-1' }, method: 'POST', url: '/v1/chat/completions' });
    expect(lines()).toEqual([expect.objectContaining({ requestId: 'chat-1', traceId: '0af7651916cd43dd8448eb211c80319c' })]);
  });

  it('does not log errors the API expects: bad input, conflicts, deadlines', () => {
    const { serve, answered, lines } = harness();
    serve(new BallastError(ERROR_CODES.nestingTooDeep, 'too deep'), { headers: {} });
    serve(new BallastError(ERROR_CODES.idempotencyConflict, 'reused id'), { headers: {} });
    serve(new BallastError(ERROR_CODES.deadlineExceeded, 'no outcome'), { headers: {} });
    expect(answered.map((a) => a.status)).toEqual([400, 409, 504]);
    expect(lines()).toEqual([]);
  });
});

describe('the error shape per route', () => {
  it('answers the OpenAI routes in OpenAI’s shape (message, type, param, code) and the native API in its own', () => {
    const { serve, answered } = harness();
    const refused = () => new BallastError(ERROR_CODES.unsupportedParameter, '"n" greater than 1 is not supported', { status: 400, param: 'n', details: [{ path: 'n', message: 'too big' }] });
    serve(refused(), { headers: {}, url: '/v1/chat/completions' });
    serve(new BallastError(ERROR_CODES.unauthorized, 'send your API key'), { headers: {}, url: '/v1/models?x=1' });
    serve(refused(), { headers: {}, url: '/v1/requests?wait=true' });
    expect(answered).toEqual([
      { status: 400, body: { error: { message: '"n" greater than 1 is not supported', type: 'invalid_request_error', param: 'n', code: ERROR_CODES.unsupportedParameter } } },
      { status: 401, body: { error: { message: 'send your API key', type: 'authentication_error', param: null, code: ERROR_CODES.unauthorized } } },
      { status: 400, body: { error: { code: ERROR_CODES.unsupportedParameter, message: '"n" greater than 1 is not supported', type: 'invalid_request_error', details: [{ path: 'n', message: 'too big' }] } } },
    ]);
  });

  it('never logs a request id header that is not a valid id', () => {
    const { serve, lines } = harness();
    serve(new TypeError('boom'), { headers: { 'idempotency-key': `x${'\u0007'}y` }, method: 'POST', url: '/v1/chat/completions' });
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).not.toHaveProperty('requestId');
  });
});
