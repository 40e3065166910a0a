import type { DataSource, QueryDeepPartialEntity } from 'typeorm';
import { ProcessedMessageEntity } from '../entities/processed-message.entity.js';
import type { ProcessedMessage, ProcessedMessageStore } from './processed-message.store.js';

export class TypeormProcessedMessageStore implements ProcessedMessageStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    const m = this.dataSource.manager;
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(ProcessedMessageEntity)
      .values({ stage, requestId, outcome: outcome ?? null } as QueryDeepPartialEntity<ProcessedMessageEntity>)
      .orIgnore()
      .returning(['created_at'])
      .execute();
    const inserted = Array.isArray(result.raw) ? (result.raw[0] as { created_at?: Date | string } | undefined) : undefined;
    // The common case (first writer) needs no second round trip: what was written is what is stored.
    if (inserted?.created_at !== undefined) {
      return { stored: true, record: { stage, requestId, outcome: outcome ?? null, createdAt: new Date(inserted.created_at) } };
    }
    return { stored: false, record: await m.findOneByOrFail(ProcessedMessageEntity, { stage, requestId }) };
  }

  async find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    return this.dataSource.manager.findOneBy(ProcessedMessageEntity, { stage, requestId });
  }
}
