/** What a stage recorded for a request it finished. */
export interface ProcessedMessage {
  stage: string;
  requestId: string;
  outcome: unknown;
  createdAt: Date;
}

export interface PruneOptions {
  /** Rows deleted per statement, so no statement holds its locks long. Default 5,000. */
  batchSize?: number;
  /** Stops between chunks once aborted; `prune` then returns the rows deleted so far. */
  signal?: AbortSignal;
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
  /**
   * Deletes the record of the pair, so the pair can be recorded again; true when there was one.
   * For a claim whose work never started (the message could not be published): a retry must not
   * find it taken.
   *
   * @example if (!published) await ledger.release('ingress', key);
   */
  release(stage: string, requestId: string): Promise<boolean>;
  /**
   * Deletes the records made before `olderThan` and returns how many it deleted. A request seen
   * again after its record is gone is handled as new, so keep records longer than messages can be
   * redelivered.
   *
   * @example await ledger.prune(new Date(Date.now() - 7 * 24 * 3_600_000));
   */
  prune(olderThan: Date, options?: PruneOptions): Promise<number>;
}
