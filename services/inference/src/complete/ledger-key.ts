import type { PipelineState } from '#contracts';

/** The idempotency ledger stage under which completions (and final failures) are recorded. */
export const LEDGER_STAGE = 'inference';

/**
 * What "the same call" means: one provider outcome per tenant and request. Anything that makes a
 * legitimately new call for the same request (a guardrail re-ask) must become part of this key.
 */
export function ledgerKey(state: PipelineState): string {
  return `${state.request.tenantId}/${state.request.requestId}`;
}
