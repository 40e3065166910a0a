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

  it('writes the events gathered since the last write in one transaction, summed per window', async () => {
    const tenants = new InMemoryTenantRepository();
    const batches: number[] = [];
    const counting = { addUsage: (a: Parameters<typeof tenants.addUsage>[0]) => (batches.push(a.length), tenants.addUsage(a)) };
    const recorder = new UsageRecorder({ tenants: counting } as never);
    for (let i = 0; i < 20; i++) recorder.record(event({}), at);
    recorder.record(event({ tenantId: 'globex' }), at);
    await recorder.flush();
    await recorder.flush(); // nothing new: no write
    expect(batches).toEqual([6]);
    const totals = await tenants.usageTotals('acme', [
      { metric: 'tokensPerMinute', windowStart: new Date(Date.UTC(2026, 0, 31, 23, 59)) },
      { metric: 'usdPerDay', windowStart: new Date(Date.UTC(2026, 0, 31)) },
    ]);
    expect(totals[0]).toBe(3_000);
    expect(totals[1]).toBeCloseTo(0.04, 12);
  });

  it('keeps the sums of a failed write for the next one, so nothing is lost while the store is down', async () => {
    const tenants = new InMemoryTenantRepository();
    let down = true;
    const flaky = { addUsage: (a: Parameters<typeof tenants.addUsage>[0]) => (down ? Promise.reject(new Error('connection lost')) : tenants.addUsage(a)) };
    const recorder = new UsageRecorder({ tenants: flaky } as never);
    recorder.record(event({}), at);
    await expect(recorder.flush()).rejects.toMatchObject({ code: ERROR_CODES.handlerFailed, transient: true });
    recorder.record(event({}), at);
    down = false;
    await recorder.flush();
    expect(await tenants.usageTotals('acme', [{ metric: 'tokensPerMinute', windowStart: new Date(Date.UTC(2026, 0, 31, 23, 59)) }])).toEqual([300]);
  });
});
