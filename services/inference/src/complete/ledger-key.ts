import type { PipelineState } from '#contracts';

/** The idempotency ledger stage under which completions (and final failures) are recorded. */
export const LEDGER_STAGE = 'inference';

/**
 * What "the same call" means: one provider outcome per tenant, request and guardrail attempt. A
 * guardrail re-ask or fallback (`guard.attempt` > 0) is a new call; a redelivery of the same
 * attempt is not.
 */
export function ledgerKey(state: PipelineState): string {
  const attempt = state.guard?.attempt ?? 0;
  const base = `${state.request.tenantId}/${state.request.requestId}`;
  return attempt > 0 ? `${base}#${attempt}` : base;
}
