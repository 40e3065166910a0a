import { ERROR_CODES } from '#contracts';

/** The parts of Fastify's request, reply and instance the intake uses. */
interface IntakeRequest {
  url: string;
}
interface IntakeReply {
  raw: { once(event: 'close', listener: () => void): unknown };
  code(status: number): IntakeReply;
  header(name: string, value: string): IntakeReply;
  send(body: unknown): unknown;
}
export interface HookableHttpServer {
  addHook(name: 'onRequest', hook: (request: IntakeRequest, reply: IntakeReply, done: () => void) => void): unknown;
  addHook(name: 'onSend', hook: (request: IntakeRequest, reply: IntakeReply, payload: unknown, done: (error: null, payload: unknown) => void) => void): unknown;
}

/** Probes and scrapes still answer while a process drains: readiness must be seen failing. */
const ALWAYS_OPEN = /^\/(health(\/|\?|$)|metrics(\?|$))/;

/**
 * Counts the HTTP requests one app is serving and, once closed, refuses new ones with 503
 * `ballast.shutting_down` (health and metrics excepted), so a graceful stop knows what to wait for.
 * Attach it before the server listens: Fastify takes no hooks after that.
 */
export class HttpIntake {
  private open = true;
  private active = 0;

  constructor(server: HookableHttpServer) {
    server.addHook('onRequest', (request, reply, done) => {
      if (ALWAYS_OPEN.test(request.url)) return done();
      if (!this.open) {
        reply
          .code(503)
          .header('connection', 'close')
          .send({
            error: {
              code: ERROR_CODES.shuttingDown,
              message: 'Ballast is shutting down and takes no new requests; send this request to another replica or retry after the restart',
              type: 'server_error',
              // OpenAI's shape has a param: the SDKs read the body on every route.
              param: null,
            },
          });
        return;
      }
      this.active++;
      reply.raw.once('close', () => this.active--);
      done();
    });
    // Once closed, answered connections are not kept alive: an idle keep-alive socket would hold the server's close open.
    server.addHook('onSend', (_request, reply, payload, done) => {
      if (!this.open) reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Requests accepted and not yet answered. */
  get inFlight(): number {
    return this.active;
  }

  /** From now on, new requests get 503 `ballast.shutting_down`; those already accepted carry on. */
  close(): void {
    this.open = false;
  }
}
