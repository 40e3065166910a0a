import { jest } from '@jest/globals';
import { InMemoryPromptRegistryRepository, type PromptDefinitionInput } from '#persistence';
import type { IngressDeps } from '../ingress.tokens.js';
import { PromptResolver } from './prompt.resolver.js';

const def = (content: string): PromptDefinitionInput => ({ name: 'faq', model: 'sim-1', template: { messages: [{ role: 'user', content }] } });
const ids = (n: number, prefix = 'req') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function registryWithCanary(share: number): Promise<InMemoryPromptRegistryRepository> {
  const registry = new InMemoryPromptRegistryRepository();
  await registry.publish(def('v1 {{q}}'));
  await registry.publish(def('v2 {{q}}'));
  await registry.moveLabel('faq', 'production', 1, 'ada');
  await registry.changeLabel('faq', 'production', { kind: 'canary_start', version: 2, share }, { actor: 'ada' });
  return registry;
}

const resolverOn = (registry: InMemoryPromptRegistryRepository) => new PromptResolver({ registry } as unknown as IngressDeps);

describe('PromptResolver with a canary split', () => {
  it('sends 10 % ± 2 % of 5,000 request ids to the candidate, and always the same ones', async () => {
    const resolver = resolverOn(await registryWithCanary(0.1));
    const versionOf = async (id: string) => (await resolver.resolve({ name: 'faq' }, id))!.prompt.version;
    const first = await Promise.all(ids(5_000).map(versionOf));
    const share = first.filter((v) => v === 2).length / first.length;
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);
    expect(first.every((v) => v === 1 || v === 2)).toBe(true);
    // A fresh resolver (another replica, a restart) picks the same version for every id.
    const again = await Promise.all(ids(5_000).map(async (id) => (await resolverOn(await registryWithCanary(0.1)).resolve({ name: 'faq' }, id))!.prompt.version));
    expect(again).toEqual(first);
  });

  it('names the label and renders the version it chose', async () => {
    const resolver = resolverOn(await registryWithCanary(0.5));
    const results = await Promise.all(ids(200).map((id) => resolver.resolve({ name: 'faq' }, id)));
    for (const r of results) {
      expect(r!.prompt.label).toBe('production');
      expect(r!.version.template.messages[0]!.content).toBe(`v${r!.prompt.version} {{q}}`);
    }
    expect(new Set(results.map((r) => r!.prompt.version))).toEqual(new Set([1, 2]));
  });

  it('caches the label with its split, not the chosen version, until a registry event names the prompt', async () => {
    const registry = await registryWithCanary(0.5);
    const lookups = jest.spyOn(registry, 'resolveLabel');
    const resolver = resolverOn(registry);
    const versions = await Promise.all(ids(100).map(async (id) => (await resolver.resolve({ name: 'faq' }, id))!.prompt.version));
    expect(new Set(versions)).toEqual(new Set([1, 2]));
    expect(lookups).toHaveBeenCalledTimes(1);

    await registry.changeLabel('faq', 'production', { kind: 'canary_finish' }, { actor: 'ada' });
    expect((await resolver.resolve({ name: 'faq' }, 'req-0'))!.prompt.version).toBe(versions[0]);
    resolver.invalidate('faq');
    const after = await Promise.all(ids(100).map(async (id) => (await resolver.resolve({ name: 'faq' }, id))!.prompt.version));
    expect(new Set(after)).toEqual(new Set([2]));
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('gives the label its own version when there is no request id, and a pinned version as asked', async () => {
    const resolver = resolverOn(await registryWithCanary(0.99));
    expect((await resolver.resolve({ name: 'faq' }))!.prompt.version).toBe(1);
    expect(await resolver.resolve({ name: 'faq', version: 2 }, 'req-1')).toMatchObject({ prompt: { version: 2, label: null } });
    expect(await resolver.resolve({ name: 'faq', label: 'staging' }, 'req-1')).toBeNull();
  });
});

describe('PromptResolver when the registry database is busy (PGlite behind write-behind batches)', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps answering with the cached label after its 60 s expire while the refresh waits, and follows a label move at once', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const registry = new InMemoryPromptRegistryRepository();
    await registry.publish(def('v1 {{q}}'));
    await registry.publish(def('v2 {{q}}'));
    await registry.moveLabel('faq', 'production', 1, 'ada');
    const resolver = resolverOn(registry);
    expect((await resolver.resolve({ name: 'faq' }, 'req-1'))!.prompt.version).toBe(1);

    // The database stops answering: every look-up from now on waits.
    const blocked = jest.spyOn(registry, 'resolveLabel').mockImplementation(() => new Promise(() => undefined));
    jest.setSystemTime(Date.now() + 61_000);
    const answers = await Promise.all(ids(50).map((id) => resolver.resolve({ name: 'faq' }, id)));
    expect(answers.map((a) => a!.prompt.version)).toEqual(Array(50).fill(1));
    expect(blocked).toHaveBeenCalledTimes(1); // one background refresh, not one per request

    blocked.mockRestore();
    await registry.moveLabel('faq', 'production', 2, 'ada');
    resolver.invalidate('faq'); // what RegistryEventsListener does on the ballast.registry.v1 event
    expect((await resolver.resolve({ name: 'faq' }, 'req-1'))!.prompt.version).toBe(2);
  });
});
