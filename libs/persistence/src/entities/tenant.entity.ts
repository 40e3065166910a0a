import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'allowed_models', type: 'jsonb' })
  allowedModels!: string[];

  /** Registered prompts the tenant may call; null = every prompt. */
  @Column({ name: 'allowed_prompts', type: 'jsonb', nullable: true })
  allowedPrompts!: string[] | null;

  @Column({ type: 'jsonb' })
  quotas!: Record<string, number>;
}
