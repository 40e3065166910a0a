import { ERROR_CODES } from '#contracts';
import type { PromptDefinitionInput, PromptRegistryRepository } from '#persistence';
import { expectBallastError, uniqueName } from './contract-helpers.js';

function definition(name: string, userContent = 'Answer: {{question}}'): PromptDefinitionInput {
  return {
    name,
    model: 'sim-1',
    template: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: userContent }] },
    params: { temperature: 0, maxTokens: 64 },
  };
}

/**
 * The behaviour every PromptRegistryRepository must show. Runs against the in-memory fake, PGlite
 * and real Postgres, so the fake cannot drift from the real thing.
 */
export function describePromptRegistryContract(
  name: string,
  factory: () => PromptRegistryRepository | Promise<PromptRegistryRepository>,
): void {
  describe(`PromptRegistryRepository contract: ${name}`, () => {
    let registry: PromptRegistryRepository;
    beforeAll(async () => {
      registry = await factory();
    });

    it('numbers new content 1, 2, ... and returns it with defaults filled in', async () => {
      const n = uniqueName('greet');
      expect(await registry.publish(definition(n, 'v1 {{question}}'))).toMatchObject({ version: 1, created: true });
      expect(await registry.publish(definition(n, 'v2 {{question}}'))).toMatchObject({ version: 2, created: true });
      const v2 = await registry.resolve(n, { version: 2 });
      expect(v2?.template.messages[1]?.content).toBe('v2 {{question}}');
      expect(v2?.policies.cache.ttlSeconds).toBe(3600);
      expect(v2?.responseFormat).toBeNull();
      expect(v2?.label).toBeNull();
    });

    it('treats a push of identical content as a no-op that returns the existing version', async () => {
      const n = uniqueName('same');
      const first = await registry.publish(definition(n));
      const spelledOut = { ...definition(n), params: { maxTokens: 64, temperature: 0 }, responseFormat: null };
      const again = await registry.publish(spelledOut);
      expect(again).toEqual({ version: first.version, created: false, contentHash: first.contentHash });
      expect((await registry.list()).find((p) => p.name === n)?.latestVersion).toBe(1);
    });

    it('never changes a published version', async () => {
      const n = uniqueName('immutable');
      await registry.publish(definition(n, 'original {{question}}'), { actor: 'ada', sourceCommit: 'abc123' });
      const before = await registry.resolve(n, { version: 1 });
      before!.template.messages[1]!.content = 'tampered';
      await registry.publish(definition(n, 'changed {{question}}'));
      const after = await registry.resolve(n, { version: 1 });
      expect(after?.template.messages[1]?.content).toBe('original {{question}}');
      expect(after?.contentHash).toBe(before?.contentHash);
      expect(after?.createdBy).toBe('ada');
      expect(after?.sourceCommit).toBe('abc123');
    });

    it('gives concurrent publishes of different content distinct versions', async () => {
      const n = uniqueName('race');
      const results = await Promise.all([1, 2, 3, 4].map((i) => registry.publish(definition(n, `variant ${i} {{q}}`))));
      expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
      expect(results.every((r) => r.created)).toBe(true);
    });

    it('stores concurrent publishes of the same content once', async () => {
      const n = uniqueName('dup');
      const results = await Promise.all([1, 2, 3].map(() => registry.publish(definition(n))));
      expect(new Set(results.map((r) => r.version))).toEqual(new Set([1]));
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('resolves the production label by default and says null when nothing matches', async () => {
      const n = uniqueName('resolve');
      await registry.publish(definition(n));
      expect(await registry.resolve(n)).toBeNull();
      await registry.moveLabel(n, 'production', 1, 'ada', 'first release');
      expect(await registry.resolve(n)).toMatchObject({ name: n, version: 1, label: 'production' });
      expect(await registry.resolve(n, { label: 'staging' })).toBeNull();
      expect(await registry.resolve(n, { version: 9 })).toBeNull();
      expect(await registry.resolve(uniqueName('absent'))).toBeNull();
    });

    it('rejects a selector with both a label and a version', async () => {
      const selector = { label: 'production', version: 1 } as unknown as { version: number };
      await expectBallastError(registry.resolve('any', selector), ERROR_CODES.invalidRequest);
    });

    it('rolls back by moving a label back, recording every move', async () => {
      const n = uniqueName('rollback');
      await registry.publish(definition(n, 'one {{q}}'));
      await registry.publish(definition(n, 'two {{q}}'));
      await registry.moveLabel(n, 'production', 1, 'ada', 'launch');
      const promoted = await registry.moveLabel(n, 'production', 2, 'bob', 'better answers');
      expect(promoted).toMatchObject({ fromVersion: 1, toVersion: 2, actor: 'bob' });
      expect((await registry.resolve(n))?.version).toBe(2);
      await registry.moveLabel(n, 'production', 1, 'carol', 'regression in v2');
      expect((await registry.resolve(n))?.version).toBe(1);
      const events = await registry.listLabelEvents(n);
      expect(events.map((e) => [e.fromVersion, e.toVersion, e.actor, e.reason])).toEqual([
        [null, 1, 'ada', 'launch'],
        [1, 2, 'bob', 'better answers'],
        [2, 1, 'carol', 'regression in v2'],
      ]);
      expect(events.every((e) => e.createdAt instanceof Date && e.label === 'production')).toBe(true);
    });

    it('records nothing when a label already points at the version', async () => {
      const n = uniqueName('noop-move');
      await registry.publish(definition(n));
      await registry.moveLabel(n, 'production', 1, 'ada');
      expect(await registry.moveLabel(n, 'production', 1, 'ada')).toBeNull();
      expect(await registry.listLabelEvents(n)).toHaveLength(1);
    });

    it('keeps labels independent of each other', async () => {
      const n = uniqueName('labels');
      await registry.publish(definition(n, 'one {{q}}'));
      await registry.publish(definition(n, 'two {{q}}'));
      await registry.moveLabel(n, 'production', 1, 'ada');
      await registry.moveLabel(n, 'canary', 2, 'ada');
      expect((await registry.resolve(n, { label: 'canary' }))?.version).toBe(2);
      expect((await registry.resolve(n))?.version).toBe(1);
      expect((await registry.list()).find((p) => p.name === n)).toMatchObject({ latestVersion: 2, labels: { production: 1, canary: 2 } });
    });

    it('rejects a label move to an unknown version or prompt with a stable code', async () => {
      const n = uniqueName('unknown');
      await registry.publish(definition(n));
      await expectBallastError(registry.moveLabel(n, 'production', 7, 'ada'), ERROR_CODES.promptNotFound, /no version 7/);
      await expectBallastError(registry.moveLabel(uniqueName('ghost'), 'production', 1, 'ada'), ERROR_CODES.promptNotFound, /not registered/);
      expect(await registry.listLabelEvents(n)).toEqual([]);
    });

    it('rejects invalid definitions and label moves before writing anything', async () => {
      const n = uniqueName('invalid');
      await expectBallastError(registry.publish({ ...definition(n), template: { messages: [] } }), ERROR_CODES.invalidRequest);
      await expectBallastError(registry.publish({ ...definition(n), name: 'Bad Name' }), ERROR_CODES.invalidRequest);
      expect((await registry.list()).some((p) => p.name === n)).toBe(false);
      await registry.publish(definition(n));
      await expectBallastError(registry.moveLabel(n, '', 1, 'ada'), ERROR_CODES.invalidRequest);
      await expectBallastError(registry.moveLabel(n, 'production', 1, ' '), ERROR_CODES.invalidRequest);
    });

    it('lists prompts by name with their latest version and labels', async () => {
      const [a, b] = [uniqueName('list-a'), uniqueName('list-b')];
      await registry.publish(definition(b));
      await registry.publish(definition(a, 'x {{q}}'));
      await registry.publish(definition(a, 'y {{q}}'));
      await registry.moveLabel(a, 'production', 2, 'ada');
      const listed = (await registry.list()).filter((p) => p.name === a || p.name === b);
      expect(listed.map((p) => [p.name, p.latestVersion, p.labels])).toEqual([
        [a, 2, { production: 2 }],
        [b, 1, {}],
      ]);
    });
  });
}
