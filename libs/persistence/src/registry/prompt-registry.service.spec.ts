import { ERROR_CODES, type RegistryEvent } from '#contracts';
import type { PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import { InMemoryPromptRegistryRepository } from '../testing/in-memory-prompt-registry.repository.js';
import { PromptRegistryService, type PromotionGate } from './prompt-registry.service.js';

const def = (content: string): PromptDefinitionInput => ({ name: 'faq', model: 'sim-1', template: { messages: [{ role: 'user', content }] } });

function setup(gate: PromotionGate | null = null) {
  const events: RegistryEvent[] = [];
  const registry = new InMemoryPromptRegistryRepository();
  const service = new PromptRegistryService(registry, { emit: async (e) => void events.push(e) }, gate);
  return { events, registry, service };
}

describe('PromptRegistryService', () => {
  it('emits one event per change, with actor and reason, and none for a no-op', async () => {
    const { events, service } = setup();
    await service.publish(def('v1 {{q}}'), { actor: 'ci', sourceCommit: 'abc' });
    await service.publish(def('v1 {{q}}'), { actor: 'ci' });
    await service.publish(def('v2 {{q}}'), { actor: 'ci' });
    await service.promote('faq', { label: 'production', version: 1, actor: 'ada', reason: 'launch' });
    await service.promote('faq', { label: 'production', version: 1, actor: 'ada', reason: 'again' });
    await service.promote('faq', { label: 'production', version: 2, actor: 'bob', reason: 'try v2', canaryPercent: 10 });
    await service.promote('faq', { label: 'production', actor: 'bob', reason: 'v2 is fine', finish: true });
    await service.rollback('faq', { label: 'production', actor: 'carol', reason: 'complaints' });
    expect(events.map((e) => [e.kind, e.change ?? null, e.version, e.fromVersion, e.traffic ?? null, e.actor, e.reason])).toEqual([
      ['version_published', null, 1, null, null, 'ci', null],
      ['version_published', null, 2, null, null, 'ci', null],
      ['label_moved', 'move', 1, null, null, 'ada', 'launch'],
      ['label_moved', 'canary_start', 1, 1, { version: 2, share: 0.1 }, 'bob', 'try v2'],
      ['label_moved', 'canary_finish', 2, 1, null, 'bob', 'v2 is fine'],
      ['label_moved', 'rollback', 1, 2, null, 'carol', 'complaints'],
    ]);
    expect((await service.history('faq')).map((e) => e.kind)).toEqual(['move', 'canary_start', 'canary_finish', 'rollback']);
  });

  it('says no gate checked the promotion when none is configured', async () => {
    const { service } = setup();
    await service.publish(def('v1 {{q}}'), { actor: 'ci' });
    expect(await service.promote('faq', { label: 'production', version: 1, actor: 'ada' })).toMatchObject({ gate: 'not_configured', event: { forced: false } });
  });

  it('refuses what the gate refuses, unless forced with a reason, and records the override', async () => {
    const gate: PromotionGate = { passes: async (_name, version) => ({ passed: version === 1, detail: 'no passing eval run' }) };
    const { events, service, registry } = setup(gate);
    await service.publish(def('v1 {{q}}'), { actor: 'ci' });
    await service.publish(def('v2 {{q}}'), { actor: 'ci' });
    expect((await service.promote('faq', { label: 'production', version: 1, actor: 'ada' })).gate).toBe('passed');
    await expect(service.promote('faq', { label: 'production', version: 2, actor: 'ada', canaryPercent: 5 })).rejects.toMatchObject({
      code: ERROR_CODES.promotionRefused,
      message: expect.stringContaining('no passing eval run'),
    });
    await expect(service.promote('faq', { label: 'production', version: 2, actor: 'ada', force: true })).rejects.toMatchObject({
      code: ERROR_CODES.invalidRequest,
      message: expect.stringMatching(/force needs a reason/),
    });
    const forced = await service.promote('faq', { label: 'production', version: 2, actor: 'ada', force: true, reason: 'hotfix, evals next' });
    expect(forced).toMatchObject({ gate: 'forced', event: { forced: true, reason: 'hotfix, evals next' } });
    expect(events.at(-1)).toMatchObject({ forced: true });
    expect((await registry.listLabelEvents('faq')).map((e) => e.forced)).toEqual([false, true]);
  });

  it('rejects a promotion that does not say what to do', async () => {
    const { service } = setup();
    await service.publish(def('v1 {{q}}'), { actor: 'ci' });
    await expect(service.promote('faq', { label: 'production', actor: 'ada' })).rejects.toMatchObject({ code: ERROR_CODES.invalidRequest });
    await expect(service.promote('faq', { label: 'production', version: 1, actor: 'ada', canaryPercent: 100 })).rejects.toMatchObject({
      code: ERROR_CODES.invalidRequest,
      message: expect.stringContaining('below 100'),
    });
    await expect(service.promote('faq', { label: 'production', version: 1, actor: 'ada', canaryPercent: 5, finish: true })).rejects.toMatchObject({
      code: ERROR_CODES.invalidRequest,
    });
    await expect(service.history('nope')).rejects.toMatchObject({ code: ERROR_CODES.promptNotFound });
  });

  it('says the change is saved when its event cannot be sent', async () => {
    const registry = new InMemoryPromptRegistryRepository();
    const service = new PromptRegistryService(registry, { emit: async () => Promise.reject(new Error('broker down')) });
    await expect(service.publish(def('v1 {{q}}'), { actor: 'ci' })).rejects.toMatchObject({
      message: expect.stringMatching(/saved, but its event could not be sent \(broker down\)/),
    });
    expect(await registry.listVersions('faq')).toHaveLength(1);
  });
});
