import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { LabelChangeKind } from '../registry/prompt-registry.repository.js';
import type { LabelTraffic } from './prompt-label.entity.js';

/** Append-only history of label moves. */
@Entity({ name: 'label_events' })
export class LabelEventEntity {
  // bigint comes back from pg as a string; the repository turns it into a number.
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'text', default: 'move' })
  kind!: LabelChangeKind;

  @Column({ name: 'from_version', type: 'integer', nullable: true })
  fromVersion!: number | null;

  @Column({ name: 'to_version', type: 'integer' })
  toVersion!: number;

  /** The label's canary split after this change. */
  @Column({ type: 'jsonb', nullable: true })
  traffic!: LabelTraffic | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'boolean', default: false })
  forced!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
