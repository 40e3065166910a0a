import type { Duplex } from 'node:stream';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ERROR_CODES } from '#contracts';
import { BallastServer, type BallastServerOptions } from '#messaging';
import { PinoNestLogger, createLogger } from '#observability';
import { registerDrainTarget } from './graceful-stop.js';
import { HttpIntake, type HookableHttpServer } from './http-intake.js';

export interface StageAppOptions extends BallastServerOptions {
  module: Type<unknown> | DynamicModule;
  /** Request body limit for the HTTP adapter, in bytes. */
  bodyLimit?: number;
}

/** Nest's own start-up chatter (modules loaded, routes mapped, app started), one line per item. */
const START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/** Start-up lines at debug, so six apps' worth of them do not bury what a person needs to read. */
class StageNestLogger extends PinoNestLogger {
  override log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) this.debug(message, ...params);
    else super.log(message, ...params);
  }
}

/**
 * A request Node's HTTP parser refuses (a control character in a header, an oversized header) never
 * reaches a route: it is answered here in the error shape every Ballast route uses (OpenAI's, whose
 * `code`, `message` and `type` the native API shares), never with the request's bytes.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'the request is not valid HTTP/1.1 (a header holds a control character, or a line is malformed)'];
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: ERROR_CODES.invalidRequest } });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Creates one service as a Nest hybrid app: HTTP (health, metrics and the service's own routes)
 * plus the Ballast transport for its topics. Every service, in every mode, is built here. Signals
 * are not Nest's to handle: the process stops its apps with `stopStageApps`, in order, after a drain.
 */
export async function createStageApp(options: StageAppOptions): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: options.stage });
  const app = await NestFactory.create<NestFastifyApplication>(
    options.module,
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1_048_576, clientErrorHandler }),
    { logger: new StageNestLogger(logger), abortOnError: false },
  );
  const intake = new HttpIntake(app.getHttpAdapter().getInstance() as unknown as HookableHttpServer);
  const server = new BallastServer(options);
  registerDrainTarget(app, {
    httpInFlight: () => intake.inFlight,
    recordsInFlight: () => server.inFlight,
    closeIntake: () => intake.close(),
    stopConsuming: () => server.close(),
  });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  return app;
}
