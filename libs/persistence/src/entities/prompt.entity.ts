import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per prompt name; publishers lock it to number versions one at a time. */
@Entity({ name: 'prompts' })
export class PromptEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
