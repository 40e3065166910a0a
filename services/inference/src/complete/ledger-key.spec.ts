import type { PipelineState } from '#contracts';
import { ledgerKey } from './ledger-key.js';

const state = (guard?: PipelineState['guard']) =>
  ({ request: { tenantId: 'demo', requestId: 'r-1' }, ...(guard ? { guard } : {}) }) as PipelineState;

describe('ledgerKey', () => {
  it('is the same for a redelivery of the first call', () => {
    expect(ledgerKey(state())).toBe(ledgerKey(state({ attempt: 0 })));
  });

  it('differs for each guardrail re-ask, so a re-ask gets a new completion', () => {
    expect(new Set([ledgerKey(state()), ledgerKey(state({ attempt: 1 })), ledgerKey(state({ attempt: 2 }))]).size).toBe(3);
  });
});
