export { createDataSource, openDataSource, runMigrations, type DataSourceConfig } from './data-source.js';
export { DataDirInUseError, startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.js';
export { enableVector, hasVector } from './vector-extension.js';
export * from './persistence.entities.js';
export { PERSISTENCE_MIGRATIONS } from './persistence.migrations.js';

export * from './prompts/prompt-definition.schema.js';
export { parsePromptDefinition } from './prompts/prompt-definition.parser.js';
export { canonicalJson, promptContentHash } from './prompts/content-hash.js';
export { renderMessages, renderTemplate, templateVariables } from './prompts/template.renderer.js';
export { loadPromptFile, loadPromptFiles, type PromptFile } from './prompts/prompt-files.loader.js';

export * from './registry/prompt-registry.repository.js';
export { TypeormPromptRegistryRepository } from './registry/typeorm-prompt-registry.repository.js';
export { toResolvedPrompt } from './registry/resolved-prompt.js';
export { planLabelChange, type PlannedLabelChange } from './registry/label-change.js';
export { chooseVersion, trafficBucket } from './registry/traffic-split.js';
export * from './registry/prompt-registry.service.js';
export { promptFileJsonSchema } from './prompts/prompt-file.schema.js';
export * from './tenants/tenant.repository.js';
export { apiKeyHash, apiKeyPrefix, MIN_API_KEY_LENGTH } from './tenants/api-key.hash.js';
export { TypeormTenantRepository } from './tenants/typeorm-tenant.repository.js';
export * from './idempotency/processed-message.store.js';
export { checkPruneArguments, DEFAULT_PRUNE_BATCH_SIZE } from './idempotency/prune-arguments.js';
export { hasUnstorableJsonEscape } from './idempotency/storable-outcome.js';
export { GroupCommitQueue, type GroupCommitOptions } from './batching/group-commit.queue.js';
export { TypeormProcessedMessageStore, type TypeormProcessedMessageStoreOptions } from './idempotency/typeorm-processed-message.store.js';
export { WriteBehindProcessedMessageStore, type WriteBehindLedgerOptions } from './idempotency/write-behind-processed-message.store.js';
export {
  startLedgerPruner,
  type LedgerPruner,
  type LedgerPrunerClock,
  type LedgerPrunerLog,
  type LedgerPrunerOptions,
} from './idempotency/ledger-pruner.js';

export { DEMO_TENANT, seedDefaults, type SeedOptions, type SeedResult } from './seed/seed-defaults.js';
export { SUPPORT_ANSWER_PROMPT } from './seed/seed-prompts.js';

export * from './evals/eval-run.repository.js';
export { TypeormEvalRunRepository } from './evals/typeorm-eval-run.repository.js';
export { EvalRunPromotionGate } from './evals/eval-run.promotion-gate.js';
export { EvalAssertion, EvalCase, type EvalAssertionType } from './evals/eval-case.schema.js';
export { loadEvalDataset, type EvalDataset } from './evals/eval-dataset.loader.js';
export { CRITERION_KINDS, loadRubric, parseRubric, renderCriteria, Rubric, RubricCriterion, RubricVerdict, rubricScore } from './evals/rubric.loader.js';
export * from './evals/rubric.judging.js';
export * from './evals/rubric.judge.js';
export * from './evals/judge-model.js';

export * from './metrics/metrics-history.repository.js';
export { TypeormMetricsHistoryRepository } from './metrics/typeorm-metrics-history.repository.js';
export { InMemoryMetricsHistoryRepository } from './testing/in-memory-metrics-history.repository.js';
export * from './metrics/alert-state.repository.js';
export { TypeormAlertStateRepository } from './metrics/typeorm-alert-state.repository.js';
export { InMemoryAlertStateRepository } from './testing/in-memory-alert-state.repository.js';

export { InMemoryEvalRunRepository } from './testing/in-memory-eval-run.repository.js';
export { InMemoryPromptRegistryRepository } from './testing/in-memory-prompt-registry.repository.js';
export { InMemoryTenantRepository } from './testing/in-memory-tenant.repository.js';
export { InMemoryProcessedMessageStore, type InMemoryProcessedMessageStoreOptions } from './testing/in-memory-processed-message.store.js';
