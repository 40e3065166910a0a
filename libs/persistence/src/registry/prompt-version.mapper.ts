import type { QueryDeepPartialEntity } from 'typeorm';
import type { LabelEventEntity } from '../entities/label-event.entity.js';
import type { PromptVersionEntity } from '../entities/prompt-version.entity.js';
import type { PromptDefinition } from '../prompts/prompt-definition.schema.js';
import type { LabelEvent, PromptVersion } from './prompt-registry.repository.js';

export function toPromptVersion(e: PromptVersionEntity): PromptVersion {
  return {
    name: e.name,
    version: e.version,
    contentHash: e.contentHash,
    template: e.template,
    model: e.model,
    params: e.params,
    responseFormat: e.responseFormat,
    policies: { guardrail: e.guardrailPolicy, cache: e.cachePolicy, judge: e.judgePolicy },
    createdAt: e.createdAt,
    createdBy: e.createdBy,
    sourceCommit: e.sourceCommit,
  };
}

export function toVersionRow(
  def: PromptDefinition,
  version: number,
  contentHash: string,
  createdBy: string,
  sourceCommit: string | null,
): QueryDeepPartialEntity<PromptVersionEntity> {
  const row: Omit<PromptVersionEntity, 'createdAt'> = {
    name: def.name,
    version,
    contentHash,
    template: def.template,
    model: def.model,
    params: def.params,
    responseFormat: def.responseFormat,
    guardrailPolicy: def.policies.guardrail,
    cachePolicy: def.policies.cache,
    judgePolicy: def.policies.judge,
    createdBy,
    sourceCommit,
  };
  // jsonb columns typed with index signatures defeat TypeORM's deep-partial mapping.
  return row as QueryDeepPartialEntity<PromptVersionEntity>;
}

export function toLabelEvent(e: LabelEventEntity): LabelEvent {
  return {
    id: Number(e.id),
    name: e.name,
    label: e.label,
    kind: e.kind,
    fromVersion: e.fromVersion,
    toVersion: e.toVersion,
    traffic: e.traffic,
    actor: e.actor,
    reason: e.reason,
    forced: e.forced,
    createdAt: e.createdAt,
  };
}
