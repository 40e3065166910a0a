import { Inject, Injectable } from '@nestjs/common';
import { BallastError, ERROR_CODES, type LlmRequest, type LlmResponse } from '#contracts';
import type { Tenant } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { OutcomeWaiters } from '../outcomes/outcome.waiters.js';
import { RequestLedger } from '../outcomes/request.ledger.js';
import { SubmitRequestUseCase } from './submit-request.usecase.js';

/** `replay`: the id was seen before with the same request, so this is the first run's outcome (or wait), not a new run. */
export type HttpSubmission = { outcome: LlmResponse; replay: boolean } | { pending: string; replay: boolean };

/** HTTP's view of a submission: wait for the outcome, or return where to find it. */
@Injectable()
export class SubmitAndWaitService {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly submit: SubmitRequestUseCase,
    private readonly waiters: OutcomeWaiters,
    private readonly ledger: RequestLedger,
  ) {}

  async run(request: LlmRequest, tenant: Tenant, wait: boolean): Promise<HttpSubmission> {
    const waitMs = Math.min(request.timeoutMs ?? this.deps.limits.defaultTimeoutMs, this.deps.limits.maxTimeoutMs) + 1_000;
    // Listen before publishing, so a fast pipeline cannot answer before anyone waits.
    const waiting = wait ? this.waiters.wait(request.tenantId, request.requestId, waitMs) : null;
    try {
      const submission = await this.submit.execute(request, tenant);
      if (submission.kind === 'rejected') throw submission.error;
      const replay = submission.kind === 'duplicate';
      if (submission.kind === 'duplicate' && submission.outcome) return { outcome: submission.outcome, replay };
      if (!waiting) return { pending: request.requestId, replay };
      const outcome = (await waiting.outcome) ?? (await this.ledger.outcome(request.tenantId, request.requestId));
      if (!outcome) {
        throw new BallastError(ERROR_CODES.deadlineExceeded, `no outcome within ${waitMs} ms; poll GET /v1/requests/${request.requestId}`, { status: 504 });
      }
      return { outcome, replay };
    } finally {
      // Every way out releases the waiter: a duplicate answered from the ledger, a rejection or a
      // failed submit would otherwise leave its timer running for the whole wait.
      waiting?.cancel();
    }
  }
}
