import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BallastServer, type BallastServerOptions } from '#messaging';
import { PinoNestLogger, createLogger } from '#observability';

export interface StageAppOptions extends BallastServerOptions {
  module: Type<unknown> | DynamicModule;
  /** Request body limit for the HTTP adapter, in bytes. */
  bodyLimit?: number;
}

/**
 * Creates one service as a Nest hybrid app: HTTP (health, metrics and the service's own routes)
 * plus the Ballast transport for its topics. Every service, in every mode, is built here.
 */
export async function createStageApp(options: StageAppOptions): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: options.stage });
  const app = await NestFactory.create<NestFastifyApplication>(
    options.module,
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1_048_576 }),
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: new BallastServer(options) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  return app;
}
