import type { ProcessedMessage, ProcessedMessageStore } from '../idempotency/processed-message.store.js';
import { checkStorableKey, storableOutcomeJson } from '../idempotency/storable-outcome.js';

export class InMemoryProcessedMessageStore implements ProcessedMessageStore {
  private readonly records = new Map<string, ProcessedMessage>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    storableOutcomeJson(stage, requestId, outcome);
    const key = JSON.stringify([stage, requestId]);
    const existing = this.records.get(key);
    if (existing) return { stored: false, record: structuredClone(existing) };
    const record = { stage, requestId, outcome: structuredClone(outcome ?? null), createdAt: this.now() };
    this.records.set(key, record);
    return { stored: true, record: structuredClone(record) };
  }

  async find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    checkStorableKey(stage, requestId);
    const record = this.records.get(JSON.stringify([stage, requestId]));
    return record ? structuredClone(record) : null;
  }
}
