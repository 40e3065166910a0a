import { BallastError, ERROR_CODES, LlmRequest } from '#contracts';
import { InMemoryProcessedMessageStore, InMemoryTenantRepository, type Tenant } from '#persistence';
import { TenantRateLimiter } from '../limits/tenant-rate.limiter.js';
import { RequestLedger } from '../outcomes/request.ledger.js';
import { SubmitRequestUseCase } from './submit-request.usecase.js';

const tenant = { id: 'demo', allowedModels: ['sim-1'] } as unknown as Tenant;
const request = (content: string, extra: Record<string, unknown> = {}) =>
  LlmRequest.parse({ requestId: 'r-1', tenantId: 'demo', model: 'sim-1', messages: [{ role: 'user', content }], ...extra });

/** The use case over the in-memory ledger and a bus that fails the first `failures` publishes. */
function useCase(failures = 0) {
  const published: unknown[] = [];
  let left = failures;
  const publisher = {
    publish: async (_topic: string, envelope: unknown) => {
      if (left-- > 0) throw new Error('broker unavailable');
      published.push(envelope);
    },
  };
  const deps = { publisher, ledger: new InMemoryProcessedMessageStore(), limits: { defaultTimeoutMs: 30_000, maxTimeoutMs: 600_000, defaultMaxTokens: 512 } };
  const submit = new SubmitRequestUseCase(deps as never, new RequestLedger(deps as never), {} as never, {} as never);
  return { submit, published };
}

describe('hardening 4 and 6: SubmitRequestUseCase claims a request id only for a request it publishes', () => {
  it('releases the claim when publishing fails, so a retry with the id runs instead of waiting forever', async () => {
    const { submit, published } = useCase(1);
    await expect(submit.execute(request('hello'), tenant)).rejects.toThrow('broker unavailable');
    await expect(submit.execute(request('hello'), tenant)).resolves.toMatchObject({ kind: 'accepted' });
    expect(published).toHaveLength(1);
  });

  it('replays the same request (also with another timeout) and refuses a different one with 409', async () => {
    const { submit } = useCase();
    await submit.execute(request('hello'), tenant);
    await expect(submit.execute(request('hello', { timeoutMs: 5_000 }), tenant)).resolves.toEqual({ kind: 'duplicate', outcome: null });
    const conflict = await submit.execute(request('goodbye'), tenant).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(BallastError);
    expect(conflict).toMatchObject({ code: ERROR_CODES.idempotencyConflict, options: { status: 409 } });
  });
});

describe('requests from the requests topic name their tenant, which is checked like a key would be', () => {
  async function kafkaUseCase() {
    const published: Array<{ payload: { status: string; error?: { code: string } } }> = [];
    const publisher = {
      publish: async (_topic: string, envelope: never) => void published.push(envelope),
      publishAll: async (items: Array<{ envelope: never }>) => void published.push(...items.map((i) => i.envelope)),
    };
    const tenants = new InMemoryTenantRepository();
    await tenants.upsertTenant({ id: 'demo', name: 'Demo', allowedModels: ['sim-1'], quotas: {} });
    const deps = { publisher, ledger: new InMemoryProcessedMessageStore(), limits: { defaultTimeoutMs: 30_000, maxTimeoutMs: 600_000, defaultMaxTokens: 512 } };
    const submit = new SubmitRequestUseCase(deps as never, new RequestLedger(deps as never), {} as never, new TenantRateLimiter(tenants));
    return { submit, published };
  }

  it('answers a request naming an unknown tenant with a failed outcome, ballast.forbidden', async () => {
    const { submit, published } = await kafkaUseCase();
    const result = await submit.execute(LlmRequest.parse({ requestId: 'k-1', tenantId: 'nobody', model: 'sim-1', messages: [{ role: 'user', content: 'hi' }] }), null);
    expect(result).toMatchObject({ kind: 'rejected', error: { code: ERROR_CODES.forbidden } });
    expect(published.map((e) => e.payload.error?.code)).toEqual([ERROR_CODES.forbidden]);
  });

  it('refuses a model outside the tenant\'s allow-list, as the HTTP routes do', async () => {
    const { submit } = await kafkaUseCase();
    const result = await submit.execute(LlmRequest.parse({ requestId: 'k-2', tenantId: 'demo', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), null);
    expect(result).toMatchObject({ kind: 'rejected', error: { code: ERROR_CODES.forbidden } });
    await expect(submit.execute(LlmRequest.parse({ requestId: 'k-3', tenantId: 'demo', model: 'sim-1', messages: [{ role: 'user', content: 'hi' }] }), null)).resolves.toMatchObject({ kind: 'accepted' });
  });
});

describe('a request whose prompt look-up fails (the database connection was not free in time) still gets one outcome', () => {
  it('publishes one failed outcome, ballast.internal, instead of throwing the request into the dead-letter topic', async () => {
    const published: Array<{ payload: { requestId: string; status: string; error?: { code: string } } }> = [];
    const publisher = {
      publish: async (_topic: string, envelope: never) => void published.push(envelope),
      publishAll: async (items: Array<{ envelope: never }>) => void published.push(...items.map((i) => i.envelope)),
    };
    const tenants = new InMemoryTenantRepository();
    await tenants.upsertTenant({ id: 'demo', name: 'Demo', allowedModels: ['sim-1'], quotas: {} });
    // What pg-pool throws when PGlite's one connection stays busy past the connect timeout.
    const prompts = { resolve: async () => Promise.reject(new Error('timeout exceeded when trying to connect')) };
    const deps = { publisher, ledger: new InMemoryProcessedMessageStore(), limits: { defaultTimeoutMs: 30_000, maxTimeoutMs: 600_000, defaultMaxTokens: 512 } };
    const submit = new SubmitRequestUseCase(deps as never, new RequestLedger(deps as never), prompts as never, new TenantRateLimiter(tenants));
    const req = LlmRequest.parse({ requestId: 'p-1', tenantId: 'demo', prompt: { name: 'faq' }, messages: [{ role: 'user', content: 'hi' }] });

    const result = await submit.execute(req, null);
    expect(result).toMatchObject({ kind: 'rejected', error: { code: ERROR_CODES.internal, options: { status: 503 } } });
    expect(result.kind === 'rejected' && result.error.message).not.toContain('timeout exceeded');
    expect(published.map((e) => [e.payload.requestId, e.payload.status, e.payload.error?.code])).toEqual([['p-1', 'failed', ERROR_CODES.internal]]);
    // Redelivered (the consumer crashed before committing): still that one outcome, no second one.
    await expect(submit.execute(req, null)).resolves.toMatchObject({ kind: 'duplicate' });
    expect(published).toHaveLength(1);
  });
});
