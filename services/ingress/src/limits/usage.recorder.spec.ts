import { ERROR_CODES, UsageEvent } from '#contracts';
import { InMemoryTenantRepository } from '#persistence';
import { UsageRecorder, usageAmounts } from './usage.recorder.js';

const at = Date.UTC(2026, 0, 31, 23, 59, 30);
const event = (over: Partial<UsageEvent>): UsageEvent =>
  UsageEvent.parse({ kind: 'inference', requestId: 'r', tenantId: 'acme', promptName: null, promptVersion: null, model: 'sim-1', provider: 'sim', status: 'ok', inputTokens: 100, outputTokens: 50, costUsd: 0.002, latencyMs: 3, ...over });

describe('issue 11: UsageRecorder', () => {
  it('adds a model call’s tokens to the minute and its cost to the UTC day and month it happened in', () => {
    expect(usageAmounts(event({}), at)).toEqual([
      { tenantId: 'acme', metric: 'tokensPerMinute', windowStart: new Date(Date.UTC(2026, 0, 31, 23, 59)), amount: 150 },
      { tenantId: 'acme', metric: 'usdPerDay', windowStart: new Date(Date.UTC(2026, 0, 31)), amount: 0.002 },
      { tenantId: 'acme', metric: 'usdPerMonth', windowStart: new Date(Date.UTC(2026, 0, 1)), amount: 0.002 },
    ]);
  });

  it('counts a judge call’s cost against the budget but not its tokens against tokensPerMinute, and nothing for a free call', () => {
    expect(usageAmounts(event({ kind: 'judge' }), at).map((a) => a.metric)).toEqual(['usdPerDay', 'usdPerMonth']);
    expect(usageAmounts(event({ kind: 'cache', inputTokens: 0, outputTokens: 0, costUsd: null }), at)).toEqual([]);
  });

  it('writes the events that arrive together in one batch, summed per window, and resolves each once written', async () => {
    const tenants = new InMemoryTenantRepository();
    let writes = 0;
    const counting = { addUsage: (a: Parameters<typeof tenants.addUsage>[0]) => (writes++, tenants.addUsage(a)) };
    const recorder = new UsageRecorder({ tenants: counting } as never);
    await Promise.all(Array.from({ length: 20 }, () => recorder.record(event({}), at)));
    expect(writes).toBe(1);
    const totals = await tenants.usageTotals('acme', [
      { metric: 'tokensPerMinute', windowStart: new Date(Date.UTC(2026, 0, 31, 23, 59)) },
      { metric: 'usdPerDay', windowStart: new Date(Date.UTC(2026, 0, 31)) },
    ]);
    expect(totals[0]).toBe(3_000);
    expect(totals[1]).toBeCloseTo(0.04, 12);
  });

  it('puts the events that arrive while a write runs into the next write, started as soon as it ends', async () => {
    const tenants = new InMemoryTenantRepository();
    const batches: number[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const slow = { addUsage: async (a: Parameters<typeof tenants.addUsage>[0]) => (batches.push(a.length), batches.length === 1 && (await blocked), tenants.addUsage(a)) };
    const recorder = new UsageRecorder({ tenants: slow } as never);
    const first = recorder.record(event({ tenantId: 'a' }), at);
    await new Promise((resolve) => setImmediate(resolve));
    const second = ['b', 'c', 'd'].map((tenantId) => recorder.record(event({ tenantId }), at));
    expect(batches).toEqual([3]);
    release();
    await Promise.all([first, ...second]);
    expect(batches).toEqual([3, 9]);
  });

  it('fails every event of a batch the store refused as transient, so the consumer retries them', async () => {
    const recorder = new UsageRecorder({ tenants: { addUsage: () => Promise.reject(new Error('connection lost')) } } as never);
    await expect(recorder.record(event({}), at)).rejects.toMatchObject({ code: ERROR_CODES.handlerFailed, transient: true });
  });
});
