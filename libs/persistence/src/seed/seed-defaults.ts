import type { DataSource } from 'typeorm';
import type { PromptDefinition, PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import { DEFAULT_LABEL } from '../registry/prompt-registry.repository.js';
import { NO_REGISTRY_EVENTS, PromptRegistryService, type RegistryEventEmitter } from '../registry/prompt-registry.service.js';
import { TypeormPromptRegistryRepository } from '../registry/typeorm-prompt-registry.repository.js';
import { SEED_KEY_LABEL } from '../tenants/tenant.repository.js';
import { TypeormTenantRepository } from '../tenants/typeorm-tenant.repository.js';
import { SUPPORT_ANSWER_PROMPT } from './seed-prompts.js';

export const DEMO_TENANT = {
  id: 'demo',
  name: 'Demo tenant',
  allowedModels: ['sim-1'],
  quotas: { requestsPerMinute: 600, tokensPerDay: 1_000_000 },
};

export interface SeedOptions {
  /** The plaintext key for tenant `demo`; only its hash is stored. */
  apiKey: string;
  /** Prompts to publish; default: `support-answer`. Pass `loadPromptFiles()` results to seed a folder. */
  prompts?: (PromptDefinition | PromptDefinitionInput)[];
  /** Where the registry events of what the seed publishes go; default: nowhere (nothing runs yet). */
  events?: RegistryEventEmitter;
}

export interface SeedResult {
  tenantId: string;
  prompts: { name: string; version: number; created: boolean; labelled: boolean }[];
}

/**
 * Makes a fresh database usable: tenant `demo` with `apiKey` (its one seeded key), and each prompt published and labelled
 * `production`. Safe on every start: the tenant is created only when absent, identical prompts are
 * no-ops, and a `production` label someone already moved is left alone.
 */
export async function seedDefaults(dataSource: DataSource, options: SeedOptions): Promise<SeedResult> {
  const tenants = new TypeormTenantRepository(dataSource);
  const registry = new TypeormPromptRegistryRepository(dataSource);
  if (!(await tenants.findTenant(DEMO_TENANT.id))) await tenants.upsertTenant(DEMO_TENANT);
  // The seeded key replaces the one seeded before it: changing BALLAST_API_KEY revokes the old value.
  await tenants.replaceLabelledApiKey(DEMO_TENANT.id, SEED_KEY_LABEL, options.apiKey);
  const changes = new PromptRegistryService(registry, options.events ?? NO_REGISTRY_EVENTS);
  const prompts: SeedResult['prompts'] = [];
  for (const def of options.prompts ?? [SUPPORT_ANSWER_PROMPT]) {
    const { version, created } = await changes.publish(def, { actor: 'seed' });
    const labelled =
      (await registry.resolve(def.name, { label: DEFAULT_LABEL })) === null &&
      (await changes.promote(def.name, { label: DEFAULT_LABEL, version, actor: 'seed', reason: 'initial seed' })).event !== null;
    prompts.push({ name: def.name, version, created, labelled });
  }
  return { tenantId: DEMO_TENANT.id, prompts };
}
