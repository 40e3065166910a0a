import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a stage already did for a request, so a redelivered message is not processed twice. */
@Entity({ name: 'processed_messages' })
export class ProcessedMessageEntity {
  @PrimaryColumn({ type: 'text' })
  stage!: string;

  @PrimaryColumn({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ type: 'jsonb', nullable: true })
  outcome!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
