import { Writable } from 'node:stream';
import { PinoNestLogger, configureObservability, createLogger, resetObservabilitySettings, shutdownTelemetry, startTelemetry, withLogContext, withSpan } from './index.js';

/** Collects the JSON lines a logger writes. */
function captureLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  beforeAll(() => startTelemetry({ serviceName: 'ingress', exporter: 'memory' }));
  afterAll(() => shutdownTelemetry());
  afterEach(() => resetObservabilitySettings());

  it('redacts prompt content and credentials by default', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 'ingress', destination: stream });

    logger.info(
      {
        payload: { request: { variables: { name: 'Ada' }, messages: [{ role: 'user', content: 'my card is 4111' }] } },
        completion: 'the answer',
        provider: { apiKey: 'sk-live-123' },
        headers: { authorization: 'Bearer t0ken' },
        model: 'sim-1',
      },
      'request accepted',
    );

    const [line] = lines();
    const text = JSON.stringify(line);
    expect(text).not.toContain('4111');
    expect(text).not.toContain('Ada');
    expect(text).not.toContain('the answer');
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('t0ken');
    expect(line).toMatchObject({ service: 'ingress', level: 'info', msg: 'request accepted', model: 'sim-1', completion: '[redacted]' });
  });

  it('logs content when the parsed config turns BALLAST_LOG_CONTENT on, but never credentials', () => {
    const { stream, lines } = captureLines();
    configureObservability({ LOG_LEVEL: 'info', BALLAST_LOG_CONTENT: true, BALLAST_CAPTURE_CONTENT: false });
    const logger = createLogger({ service: 'ingress', destination: stream });

    logger.info({ prompt: 'hello', apiKey: 'sk-live-123' }, 'debugging a prompt');

    expect(lines()[0]).toMatchObject({ prompt: 'hello', apiKey: '[redacted]' });
  });

  it('stamps lines with the request id from the log context and the active trace id', async () => {
    const { stream, lines } = captureLines();
    const logger = createLogger({ service: 'guardrail', destination: stream });

    const traceId = await withLogContext({ requestId: 'req-42', tenantId: 'acme' }, () =>
      withSpan('process ballast.guard-input.v1', {}, (span) => {
        logger.info('checking input');
        return span.spanContext().traceId;
      }),
    );
    logger.info('outside any request');

    const [inside, outside] = lines();
    expect(inside).toMatchObject({ service: 'guardrail', requestId: 'req-42', tenantId: 'acme', traceId });
    expect(outside?.requestId).toBeUndefined();
    expect(outside?.traceId).toBeUndefined();
  });

  it('takes its level from the parsed config\'s LOG_LEVEL, not from the process environment', () => {
    const { stream, lines } = captureLines();
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'trace';
    configureObservability({ LOG_LEVEL: 'warn', BALLAST_LOG_CONTENT: false, BALLAST_CAPTURE_CONTENT: false });
    const logger = createLogger({ service: 'judge', destination: stream });
    if (previous === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previous;
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });

  it("turns Nest's log calls into JSON lines with their context", () => {
    const { stream, lines } = captureLines();
    const nest = new PinoNestLogger(createLogger({ service: 'ingress', destination: stream }));

    nest.log('Mapped {/health/ready, GET} route', 'RouterExplorer');
    nest.error('Handler failed', 'Error: boom\n    at x', 'ExceptionsHandler');

    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', context: 'RouterExplorer', msg: 'Mapped {/health/ready, GET} route' }),
      expect.objectContaining({ level: 'error', context: 'ExceptionsHandler', stack: 'Error: boom\n    at x', msg: 'Handler failed' }),
    ]);
  });
});
