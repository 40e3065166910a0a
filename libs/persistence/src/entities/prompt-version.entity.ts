import type { ResponseFormat } from '#contracts';
import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { CachePolicy, GuardrailPolicy, JudgePolicy, PromptParams, PromptTemplate } from '../prompts/prompt-definition.schema.js';

/** Immutable: rows are inserted, never updated. */
@Entity({ name: 'prompt_versions' })
@Unique('prompt_versions_name_content_hash_key', ['name', 'contentHash'])
export class PromptVersionEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @Column({ type: 'jsonb' })
  template!: PromptTemplate;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'jsonb' })
  params!: PromptParams;

  @Column({ name: 'response_format', type: 'jsonb', nullable: true })
  responseFormat!: ResponseFormat | null;

  @Column({ name: 'guardrail_policy', type: 'jsonb' })
  guardrailPolicy!: GuardrailPolicy;

  @Column({ name: 'cache_policy', type: 'jsonb' })
  cachePolicy!: CachePolicy;

  @Column({ name: 'judge_policy', type: 'jsonb' })
  judgePolicy!: JudgePolicy;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'source_commit', type: 'text', nullable: true })
  sourceCommit!: string | null;
}
