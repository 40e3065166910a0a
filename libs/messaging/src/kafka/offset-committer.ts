import type { Offsets } from 'kafkajs';

export type CommitFn = (offsets: Offsets) => Promise<void>;

interface PendingCommit {
  topic: string;
  partition: number;
  /** The next offset to read, which is what Kafka stores as the committed offset. */
  offset: string;
}

/** Group-membership errors: the commit can never succeed in this generation, retrying is useless. */
const GROUP_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

export function isGroupMembershipError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && GROUP_ERRORS.has(String((error as { type?: unknown }).type));
}

export interface OffsetCommitterOptions {
  /**
   * While a batch is still running, finished offsets are committed at most this often; the end of
   * a batch (and a stop) commits at once through `flush()`. Keeps fast batches to one commit each.
   */
  intervalMs: number;
  maxAttempts: number;
  onError(error: unknown, willRetry: boolean): void;
}

/**
 * Coalesces offset commits of one consumer: one OffsetCommit request in flight at a time, carrying
 * the latest safe offset of every partition that moved. Offsets only ever move forward per partition
 * within one batch, and a newer mark replaces an older one that has not been sent yet.
 */
export class OffsetCommitter {
  private pending = new Map<string, PendingCommit>();
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastCommitAt = 0;
  private commit: CommitFn | null = null;

  constructor(private readonly options: OffsetCommitterOptions) {}

  /** Records that `offset` (next to read) is safe to commit for topic/partition. */
  mark(commit: CommitFn, topic: string, partition: number, offset: string): void {
    this.commit = commit;
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    if (this.loop || this.timer) return;
    const wait = this.lastCommitAt + this.options.intervalMs - Date.now();
    if (wait <= 0) this.start();
    else {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.loop && this.pending.size > 0) this.start();
      }, wait);
      this.timer.unref();
    }
  }

  /** Commits everything marked so far and resolves when no commit is left in flight. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.loop && this.pending.size > 0) this.start();
    while (this.loop) await this.loop;
  }

  /** Forgets what was not committed yet (the partitions were revoked or the consumer is gone). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private start(): void {
    const loop: Promise<void> = this.run().finally(() => {
      if (this.loop === loop) this.loop = null;
    });
    this.loop = loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.pending.size > 0 && this.commit) {
      const entries = [...this.pending.values()];
      this.pending.clear();
      try {
        await this.commit(toOffsets(entries));
        this.lastCommitAt = Date.now();
        attempt = 0;
      } catch (error) {
        attempt++;
        const willRetry = attempt < this.options.maxAttempts && !isGroupMembershipError(error);
        this.options.onError(error, willRetry);
        if (!willRetry) continue;
        for (const e of entries) {
          const key = `${e.topic}\u0000${e.partition}`;
          if (!this.pending.has(key)) this.pending.set(key, e);
        }
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}

function toOffsets(entries: readonly PendingCommit[]): Offsets {
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of entries) {
    let partitions = byTopic.get(topic);
    if (!partitions) byTopic.set(topic, (partitions = []));
    partitions.push({ partition, offset });
  }
  return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
}
