import type { ProcessedMessageStore } from '#persistence';
import { uniqueName } from './contract-helpers.js';

export function describeProcessedMessageStoreContract(
  name: string,
  factory: () => ProcessedMessageStore | Promise<ProcessedMessageStore>,
): void {
  describe(`ProcessedMessageStore contract: ${name}`, () => {
    let store: ProcessedMessageStore;
    beforeAll(async () => {
      store = await factory();
    });

    it('keeps the first outcome for a stage and request and reports later ones as duplicates', async () => {
      const requestId = uniqueName('req');
      const first = await store.record('inference', requestId, { content: 'first' });
      const second = await store.record('inference', requestId, { content: 'second' });
      expect(first.stored).toBe(true);
      expect(second).toMatchObject({ stored: false, record: { outcome: { content: 'first' } } });
      expect((await store.find('inference', requestId))?.outcome).toEqual({ content: 'first' });
    });

    it('keys records by stage as well as request', async () => {
      const requestId = uniqueName('req');
      await store.record('guardrail', requestId, 'passed');
      expect((await store.record('cache', requestId, null)).stored).toBe(true);
      expect((await store.find('cache', requestId))?.outcome).toBeNull();
      expect(await store.find('judge', requestId)).toBeNull();
    });

    it('lets exactly one of several concurrent recorders win', async () => {
      const requestId = uniqueName('req');
      const results = await Promise.all([1, 2, 3].map((i) => store.record('inference', requestId, { i })));
      expect(results.filter((r) => r.stored)).toHaveLength(1);
      expect(new Set(results.map((r) => JSON.stringify(r.record.outcome))).size).toBe(1);
    });
  });
}
