import { jest } from '@jest/globals';
import { BallastError, ERROR_CODES, type LlmRequest, type LlmResponse } from '#contracts';
import type { Tenant } from '#persistence';
import { OutcomeWaiters } from '../outcomes/outcome.waiters.js';
import type { Submission } from './submit-request.usecase.js';
import { SubmitAndWaitService } from './submit-and-wait.service.js';

const request = { requestId: 'r-1', tenantId: 'demo', prompt: { name: 'support-answer' }, variables: {} } as unknown as LlmRequest;
const tenant = { id: 'demo' } as unknown as Tenant;
const outcome = { requestId: 'r-1', tenantId: 'demo', status: 'completed' } as unknown as LlmResponse;

/** The service over a real OutcomeWaiters and a submit step that answers as told. */
function service(execute: () => Promise<Submission>) {
  const waiters = new OutcomeWaiters();
  const deps = { limits: { defaultTimeoutMs: 30_000, maxTimeoutMs: 600_000, defaultMaxTokens: 512 } };
  const ledger = { outcome: async () => null };
  return { waiters, svc: new SubmitAndWaitService(deps as never, { execute } as never, waiters, ledger as never) };
}

describe('SubmitAndWaitService', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits for the outcome of an accepted request and leaves no timer behind', async () => {
    const { waiters, svc } = service(async () => ({ kind: 'accepted', state: {} as never }));
    const run = svc.run(request, tenant, true);
    await jest.advanceTimersByTimeAsync(0);
    waiters.deliver(outcome);
    await expect(run).resolves.toEqual({ outcome, replay: false });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('releases its waiter when a duplicate is answered from the ledger', async () => {
    const { svc } = service(async () => ({ kind: 'duplicate', outcome }));
    await expect(svc.run(request, tenant, true)).resolves.toEqual({ outcome, replay: true });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('releases its waiter when the request is rejected or the submit fails', async () => {
    const rejected = new BallastError(ERROR_CODES.invalidRequest, 'no such prompt', { status: 404 });
    await expect(service(async () => ({ kind: 'rejected', error: rejected })).svc.run(request, tenant, true)).rejects.toBe(rejected);
    expect(jest.getTimerCount()).toBe(0);
    await expect(service(async () => Promise.reject(new Error('ledger down'))).svc.run(request, tenant, true)).rejects.toThrow('ledger down');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('marks as a replay the outcome a duplicate still pending waits for', async () => {
    const { waiters, svc } = service(async () => ({ kind: 'duplicate', outcome: null }));
    const run = svc.run(request, tenant, true);
    await jest.advanceTimersByTimeAsync(0);
    waiters.deliver(outcome);
    await expect(run).resolves.toEqual({ outcome, replay: true });
    await expect(service(async () => ({ kind: 'duplicate', outcome: null })).svc.run(request, tenant, false)).resolves.toEqual({ pending: 'r-1', replay: true });
  });

  it('answers 504 once the wait runs out without an outcome', async () => {
    const { svc } = service(async () => ({ kind: 'accepted', state: {} as never }));
    const run = svc.run({ ...request, timeoutMs: 2_000 }, tenant, true);
    const settled = expect(run).rejects.toMatchObject({ code: ERROR_CODES.deadlineExceeded });
    await jest.advanceTimersByTimeAsync(3_000);
    await settled;
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting at shutdown: the caller gets the ledger answer (here none: 504) at once, not after the wait', async () => {
    const { waiters, svc } = service(async () => ({ kind: 'accepted', state: {} as never }));
    const run = svc.run(request, tenant, true);
    const settled = expect(run).rejects.toMatchObject({ code: ERROR_CODES.deadlineExceeded });
    await jest.advanceTimersByTimeAsync(0);
    waiters.onApplicationShutdown();
    await settled;
    expect(jest.getTimerCount()).toBe(0);
  });
});
