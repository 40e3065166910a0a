import type { PruneOptions } from './processed-message.store.js';

export const DEFAULT_PRUNE_BATCH_SIZE = 5_000;

/** The chunk size to use; throws a RangeError for a cut-off that is not a date or a bad chunk size. */
export function checkPruneArguments(olderThan: Date, options: PruneOptions): number {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) throw new RangeError(`olderThan must be a valid Date, got ${String(olderThan)}`);
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}
