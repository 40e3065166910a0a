/** What a stage recorded for a request it finished. */
export interface ProcessedMessage {
  stage: string;
  requestId: string;
  outcome: unknown;
  createdAt: Date;
}

/**
 * Idempotency records keyed by (stage, requestId): a consumer that sees a request again finds what
 * it did the first time instead of doing it twice.
 */
export interface ProcessedMessageStore {
  /**
   * Records `outcome` unless the pair is already recorded. Returns the record that is stored now and
   * whether this call wrote it (false: someone was first, and `record.outcome` is theirs).
   */
  record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }>;
  find(stage: string, requestId: string): Promise<ProcessedMessage | null>;
}
