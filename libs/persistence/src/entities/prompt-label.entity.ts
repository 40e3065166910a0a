import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A canary split: `share` (0..1) of traffic goes to `version` instead of the label's own version. */
export interface LabelTraffic {
  version: number;
  share: number;
}

@Entity({ name: 'prompt_labels' })
export class PromptLabelEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @PrimaryColumn({ type: 'text' })
  label!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb', nullable: true })
  traffic!: LabelTraffic | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
