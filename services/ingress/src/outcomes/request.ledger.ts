import { Inject, Injectable } from '@nestjs/common';
import type { LlmResponse } from '#contracts';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

const ACCEPTED = 'ingress';
const OUTCOME = 'outcome';

export type Claim = { first: true } | { first: false; outcome: LlmResponse | null };

/**
 * Idempotency by request id: the first submission of `(tenant, requestId)` claims it; a repeat
 * gets the first outcome (or waits for it) and never starts a second run.
 */
@Injectable()
export class RequestLedger {
  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async claim(tenantId: string, requestId: string): Promise<Claim> {
    const { stored } = await this.deps.ledger.record(ACCEPTED, key(tenantId, requestId), { acceptedAt: new Date().toISOString() });
    if (stored) return { first: true };
    return { first: false, outcome: await this.outcome(tenantId, requestId) };
  }

  async outcome(tenantId: string, requestId: string): Promise<LlmResponse | null> {
    const found = await this.deps.ledger.find(OUTCOME, key(tenantId, requestId));
    return (found?.outcome as LlmResponse | undefined) ?? null;
  }

  async known(tenantId: string, requestId: string): Promise<boolean> {
    return (await this.deps.ledger.find(ACCEPTED, key(tenantId, requestId))) !== null;
  }

  /** Keeps the first outcome of a request; later ones (a redelivered duplicate) are ignored. */
  async recordOutcome(response: LlmResponse): Promise<LlmResponse> {
    const { record } = await this.deps.ledger.record(OUTCOME, key(response.tenantId, response.requestId), response);
    return record.outcome as LlmResponse;
  }
}

function key(tenantId: string, requestId: string): string {
  return `${tenantId}/${requestId}`;
}
