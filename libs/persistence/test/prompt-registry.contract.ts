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
  /** The database under a SQL implementation, to show it refuses changes the API does not offer. */
  sql?: () => { query(text: string, params?: unknown[]): Promise<unknown> },
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
      expect(events.every((e) => e.kind === 'move' && e.traffic === null && e.forced === false)).toBe(true);
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

    it('offers no way to change or delete a published version', () => {
      const methods = new Set<string>();
      for (let o: object | null = Object.getPrototypeOf(registry); o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
        for (const m of Object.getOwnPropertyNames(o)) if (m !== 'constructor') methods.add(m);
      }
      const writers = [...methods].filter((m) => !/^(resolve|resolveLabel|list|listVersions|listLabelEvents)$/.test(m));
      expect(writers.sort()).toEqual(['changeLabel', 'moveLabel', 'publish']);
    });

    if (sql) {
      it('has the database refuse an UPDATE or DELETE of a published version, and any change of the label history', async () => {
        const n = uniqueName('locked');
        await registry.publish(definition(n, 'original {{q}}'));
        await registry.moveLabel(n, 'production', 1, 'ada');
        await expect(sql().query(`UPDATE prompt_versions SET model = 'other' WHERE name = $1`, [n])).rejects.toThrow(/UPDATE on prompt_versions is not allowed/);
        await expect(sql().query(`DELETE FROM prompt_versions WHERE name = $1`, [n])).rejects.toThrow(/DELETE on prompt_versions is not allowed/);
        await expect(sql().query(`UPDATE label_events SET actor = 'mallory' WHERE name = $1`, [n])).rejects.toThrow(/UPDATE on label_events is not allowed/);
        await expect(sql().query(`DELETE FROM label_events WHERE name = $1`, [n])).rejects.toThrow(/DELETE on label_events is not allowed/);
        await expect(sql().query(`TRUNCATE prompt_versions CASCADE`)).rejects.toThrow(/TRUNCATE on prompt_versions is not allowed/);
        expect((await registry.resolve(n))?.model).toBe('sim-1');
        expect(await registry.listLabelEvents(n)).toHaveLength(1);
      });
    }

    it('leaves exactly one version on a label promoted concurrently, with every move in the history', async () => {
      const n = uniqueName('concurrent');
      const versions = [1, 2, 3, 4, 5, 6];
      for (const v of versions) await registry.publish(definition(n, `v${v} {{q}}`));
      const results = await Promise.all(versions.map((v) => registry.changeLabel(n, 'production', { kind: 'move', version: v }, { actor: `user-${v}` })));
      expect(results.every((e) => e !== null)).toBe(true);
      const events = await registry.listLabelEvents(n);
      expect(events.map((e) => e.toVersion).sort()).toEqual(versions);
      // Each move was planned on the state the one before it left.
      expect(events.map((e) => e.fromVersion)).toEqual([null, ...events.slice(0, -1).map((e) => e.toVersion)]);
      expect((await registry.resolve(n))?.version).toBe(events.at(-1)?.toVersion);
      expect((await registry.list()).find((p) => p.name === n)?.labels).toEqual({ production: events.at(-1)?.toVersion });
    });

    it('rolls a label back through its earlier versions, and says when there is none left', async () => {
      const n = uniqueName('back');
      for (const v of [1, 2, 3]) await registry.publish(definition(n, `v${v} {{q}}`));
      for (const v of [1, 2, 3]) await registry.changeLabel(n, 'production', { kind: 'move', version: v }, { actor: 'ada' });
      const first = await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob', reason: 'v3 breaks refunds' });
      expect(first).toMatchObject({ kind: 'rollback', fromVersion: 3, toVersion: 2, reason: 'v3 breaks refunds', forced: false, traffic: null });
      expect((await registry.resolve(n))?.version).toBe(2);
      await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob' });
      expect((await registry.resolve(n))?.version).toBe(1);
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob' }), ERROR_CODES.registryConflict, /no earlier version/);
      await registry.changeLabel(n, 'production', { kind: 'move', version: 3 }, { actor: 'ada' });
      await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob' });
      expect((await registry.resolve(n))?.version).toBe(1);
      await expectBallastError(registry.changeLabel(n, 'staging', { kind: 'rollback' }, { actor: 'bob' }), ERROR_CODES.promptNotFound, /no label 'staging'/);
    });

    it('runs a canary beside the label and finishes it into the label', async () => {
      const n = uniqueName('canary');
      for (const v of [1, 2]) await registry.publish(definition(n, `v${v} {{q}}`));
      await expectBallastError(
        registry.changeLabel(n, 'production', { kind: 'canary_start', version: 2, share: 0.1 }, { actor: 'ada' }),
        ERROR_CODES.registryConflict,
        /no version yet/,
      );
      await registry.moveLabel(n, 'production', 1, 'ada');
      const started = await registry.changeLabel(n, 'production', { kind: 'canary_start', version: 2, share: 0.1 }, { actor: 'ada', reason: 'try v2', forced: true });
      expect(started).toMatchObject({ kind: 'canary_start', fromVersion: 1, toVersion: 1, traffic: { version: 2, share: 0.1 }, forced: true });
      expect(await registry.changeLabel(n, 'production', { kind: 'canary_start', version: 2, share: 0.1 }, { actor: 'ada' })).toBeNull();

      const resolution = await registry.resolveLabel(n, 'production');
      expect(resolution?.version.version).toBe(1);
      expect(resolution?.canary).toMatchObject({ share: 0.1, version: { version: 2, template: { messages: [{}, { content: 'v2 {{q}}' }] } } });
      expect((await registry.resolve(n))?.version).toBe(1);
      expect((await registry.list()).find((p) => p.name === n)).toMatchObject({ labels: { production: 1 }, canaries: { production: { version: 2, share: 0.1 } } });

      const promotedBefore = resolution?.promotedAt;
      expect(promotedBefore).toBeInstanceOf(Date);
      const finished = await registry.changeLabel(n, 'production', { kind: 'canary_finish', version: 2 }, { actor: 'bob' });
      expect(finished).toMatchObject({ kind: 'canary_finish', fromVersion: 1, toVersion: 2, traffic: null });
      const promoted = await registry.resolveLabel(n, 'production');
      expect(promoted).toMatchObject({ version: { version: 2 }, canary: null });
      // The judge always samples a newly promoted version: the resolution says when the label moved to it (a canary start does not count).
      expect(promoted!.promotedAt!.getTime()).toBeGreaterThanOrEqual(promotedBefore!.getTime());
      expect(new Date(finished!.createdAt).getTime()).toBe(promoted!.promotedAt!.getTime());
      expect((await registry.list()).find((p) => p.name === n)?.canaries).toEqual({});
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'canary_finish' }, { actor: 'bob' }), ERROR_CODES.registryConflict, /no canary/);
      // After a finished canary, rollback goes back to the version before it.
      await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob' });
      expect((await registry.resolve(n))?.version).toBe(1);
    });

    it('ends a canary at once on rollback, keeping the label on its own version', async () => {
      const n = uniqueName('abort');
      for (const v of [1, 2, 3]) await registry.publish(definition(n, `v${v} {{q}}`));
      await registry.moveLabel(n, 'production', 1, 'ada');
      await registry.moveLabel(n, 'production', 2, 'ada');
      await registry.changeLabel(n, 'production', { kind: 'canary_start', version: 3, share: 0.5 }, { actor: 'ada' });
      const rolledBack = await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob', reason: 'canary errors' });
      expect(rolledBack).toMatchObject({ kind: 'rollback', fromVersion: 2, toVersion: 2, traffic: null });
      expect(await registry.resolveLabel(n, 'production')).toMatchObject({ version: { version: 2 }, canary: null });
      expect((await registry.listLabelEvents(n)).map((e) => [e.kind, e.toVersion, e.traffic?.version ?? null])).toEqual([
        ['move', 1, null],
        ['move', 2, null],
        ['canary_start', 2, 3],
        ['rollback', 2, null],
      ]);
      // The next rollback still finds the version before 2.
      await registry.changeLabel(n, 'production', { kind: 'rollback' }, { actor: 'bob' });
      expect((await registry.resolve(n))?.version).toBe(1);
    });

    it('refuses canaries that make no sense, before writing anything', async () => {
      const n = uniqueName('bad-canary');
      for (const v of [1, 2]) await registry.publish(definition(n, `v${v} {{q}}`));
      await registry.moveLabel(n, 'production', 1, 'ada');
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'canary_start', version: 1, share: 0.1 }, { actor: 'ada' }), ERROR_CODES.registryConflict, /already/);
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'canary_start', version: 2, share: 1 }, { actor: 'ada' }), ERROR_CODES.invalidRequest, /share/);
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'canary_start', version: 9, share: 0.1 }, { actor: 'ada' }), ERROR_CODES.promptNotFound, /no version 9/);
      await registry.changeLabel(n, 'production', { kind: 'canary_start', version: 2, share: 0.2 }, { actor: 'ada' });
      await expectBallastError(registry.changeLabel(n, 'production', { kind: 'canary_finish', version: 1 }, { actor: 'ada' }), ERROR_CODES.registryConflict, /runs version 2/);
      expect((await registry.listLabelEvents(n)).map((e) => e.kind)).toEqual(['move', 'canary_start']);
    });

    it('lists every version of a prompt, oldest first', async () => {
      const n = uniqueName('versions');
      for (const v of [1, 2]) await registry.publish(definition(n, `v${v} {{q}}`), { actor: `user-${v}` });
      expect((await registry.listVersions(n)).map((v) => [v.version, v.createdBy])).toEqual([
        [1, 'user-1'],
        [2, 'user-2'],
      ]);
      expect(await registry.listVersions(uniqueName('absent'))).toEqual([]);
    });
  });
}
