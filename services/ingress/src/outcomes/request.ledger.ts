import { hash as digest } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { LlmRequest, LlmResponse } from '#contracts';
import { canonicalJson } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

const ACCEPTED = 'ingress';
const OUTCOME = 'outcome';

/** The ledger stages a client sees through ingress (claims and outcomes): what must outlive a restart. */
export const CLIENT_VISIBLE_LEDGER_STAGES: readonly string[] = [ACCEPTED, OUTCOME];

/** `conflict`: the id was first used for a different request. */
export type Claim = { first: true } | { first: false; conflict: boolean; outcome: LlmResponse | null };

interface AcceptedRecord {
  acceptedAt: string;
  /** `requestHash` of the request that claimed the id; absent on records written before it was kept. */
  hash?: string;
}

/**
 * sha256 of the request as canonical JSON (keys sorted at every level), without the fields a retry
 * may change without asking for something else: `timeoutMs` (how long this attempt waits).
 */
export function requestHash(request: LlmRequest): string {
  return digest('sha256', canonicalJson({ ...request, timeoutMs: undefined }), 'hex');
}

/**
 * Idempotency by request id: the first submission of `(tenant, requestId)` claims it; a repeat of
 * the same request gets the first outcome (or waits for it) and never starts a second run; the
 * same id with a different request is a conflict.
 */
@Injectable()
export class RequestLedger {
  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async claim(tenantId: string, requestId: string, hash: string): Promise<Claim> {
    const accepted: AcceptedRecord = { acceptedAt: new Date().toISOString(), hash };
    const { stored, record } = await this.deps.ledger.record(ACCEPTED, key(tenantId, requestId), accepted);
    if (stored) return { first: true };
    const theirs = (record.outcome as AcceptedRecord | null)?.hash;
    if (theirs !== undefined && theirs !== hash) return { first: false, conflict: true, outcome: null };
    return { first: false, conflict: false, outcome: await this.outcome(tenantId, requestId) };
  }

  /** Gives up a claim whose request was never published, so a retry with the id is handled as new. */
  async release(tenantId: string, requestId: string): Promise<void> {
    await this.deps.ledger.release(ACCEPTED, key(tenantId, requestId));
  }

  async outcome(tenantId: string, requestId: string): Promise<LlmResponse | null> {
    const found = await this.deps.ledger.find(OUTCOME, key(tenantId, requestId));
    return (found?.outcome as LlmResponse | undefined) ?? null;
  }

  async known(tenantId: string, requestId: string): Promise<boolean> {
    return (await this.deps.ledger.find(ACCEPTED, key(tenantId, requestId))) !== null;
  }

  /**
   * Keeps the first outcome of a request; later ones (a redelivered duplicate) are ignored. Returns
   * the kept outcome: `response` itself when it is the first (it came off the bus as JSON, so it
   * is what the ledger keeps), else the stored one.
   */
  async recordOutcome(response: LlmResponse): Promise<LlmResponse> {
    const { stored, record } = await this.deps.ledger.record(OUTCOME, key(response.tenantId, response.requestId), response);
    return stored ? response : (record.outcome as LlmResponse);
  }
}

function key(tenantId: string, requestId: string): string {
  return `${tenantId}/${requestId}`;
}
