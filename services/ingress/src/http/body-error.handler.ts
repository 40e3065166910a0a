import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { describeHttpError, errorBody } from './api-error.filter.js';

interface FastifyLike {
  setErrorHandler(handler: (error: unknown, request: unknown, reply: { status(n: number): { send(b: unknown): void } }) => void): void;
}

/**
 * Errors fastify raises before a route runs (a body over the limit, malformed JSON) never reach
 * Nest's filters; this gives them the same `{ error: { code, ... } }` body and stable codes.
 */
@Injectable()
export class BodyErrorHandler implements OnApplicationBootstrap {
  constructor(private readonly host: HttpAdapterHost) {}

  // After Nest registers its own fastify error handler during init, so this one wins.
  onApplicationBootstrap(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyLike>();
    fastify?.setErrorHandler((error, _request, reply) => {
      const { status, code, message, details } = describeHttpError(error);
      reply.status(status).send(errorBody(status, code, message, details));
    });
  }
}
