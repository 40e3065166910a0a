import { KeyedScheduler } from './keyed-scheduler.js';
import { kafkaPartitionFor } from './murmur2.js';
import { OffsetTracker } from './offset-tracker.js';
import type {
  ConsumeOptions,
  ConsumerHandle,
  ConsumerLag,
  OutgoingRecord,
  ReceivedRecord,
  TopicSpec,
  Transport,
} from './transport.js';

const DEFAULT_PARTITIONS = 3;
/** Pause before a partition re-reads after a handler rejected, so a failing record does not spin. */
const REDELIVERY_PAUSE_MS = 20;
const YIELD_EVERY = 32;

interface StoredRecord {
  key: string;
  /** The bytes; for a record a `Publisher` sent, encoded only when someone reads them. */
  readonly value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
  /** The envelope the producer handed over: consumers in this process use it as it is and never change it. */
  decoded?: unknown;
}

/**
 * Keeps the producer's envelope, and its bytes only on demand. With `freeze` (a transport that
 * verifies hand-offs: the tests) the envelope is frozen, so a stage that changed what another
 * reads fails there instead of corrupting a request in production.
 */
function storedRecord(record: OutgoingRecord, timestamp: number, freeze: boolean): StoredRecord {
  const headers = { ...record.headers };
  if (record.decoded === undefined) return { key: record.key, value: Buffer.from(record.value), headers, timestamp };
  const decoded = freeze ? deepFreeze(record.decoded) : record.decoded;
  let value: Buffer | undefined;
  return {
    key: record.key,
    headers,
    timestamp,
    decoded,
    get value() {
      return (value ??= Buffer.from(record.value));
    },
  };
}

/** What a consumer receives: its own copy of the headers, the stored bytes read only when asked for. */
function deliveredRecord(stored: StoredRecord, topic: string, partition: number, offset: number): ReceivedRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    key: stored.key,
    headers: { ...stored.headers },
    timestamp: stored.timestamp,
    ...(stored.decoded === undefined ? {} : { decoded: stored.decoded }),
    get value() {
      return stored.value;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

class Partition {
  /** Records from offset `start` on; older ones were dropped once every group had committed them. */
  private log: StoredRecord[] = [];
  private base = 0;
  private wakers: Array<() => void> = [];

  get start(): number {
    return this.base;
  }

  get end(): number {
    return this.base + this.log.length;
  }

  at(offset: number): StoredRecord | undefined {
    return this.log[offset - this.base];
  }

  append(record: StoredRecord): void {
    this.log.push(record);
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Drops the records before `offset`. */
  trimBefore(offset: number): void {
    const drop = Math.min(offset, this.end) - this.base;
    if (drop <= 0) return;
    this.log = this.log.slice(drop);
    this.base += drop;
  }

  /** Resolves when a record at `offset` exists or `signal` fires. */
  waitFor(offset: number, signal: AbortSignal): Promise<void> {
    if (offset < this.end || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wakers.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

interface GroupMember {
  id: number;
  topics: readonly string[];
  assign(partitions: Array<{ topic: string; partition: number }>): Promise<void>;
  revokeAll(): Promise<void>;
}

class ConsumerGroup {
  readonly committed = new Map<string, number>();
  readonly members: GroupMember[] = [];
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(private readonly broker: MemoryBroker) {}

  join(member: GroupMember): Promise<void> {
    return this.rebalance(() => this.members.push(member));
  }

  leave(member: GroupMember): Promise<void> {
    return this.rebalance(() => {
      const i = this.members.indexOf(member);
      if (i >= 0) this.members.splice(i, 1);
    });
  }

  commit(topic: string, partition: number, nextOffset: number): void {
    const k = `${topic}/${partition}`;
    if ((this.committed.get(k) ?? 0) < nextOffset) {
      this.committed.set(k, nextOffset);
      this.broker.compact(topic, partition);
    }
  }

  /** Where a member starts reading: the committed offset, else the earliest or the latest record. */
  position(topic: string, partition: number, fromBeginning: boolean): number {
    const p = this.broker.topic(topic)[partition]!;
    const committed = this.committed.get(`${topic}/${partition}`);
    // Like auto.offset.reset=earliest when the committed offset is older than what is retained.
    if (committed !== undefined) return Math.max(committed, p.start);
    return fromBeginning ? p.start : p.end;
  }

  /** The committed offset of a partition, or null when this group never consumed it. */
  committedOffset(topic: string, partition: number): number | null {
    return this.committed.get(`${topic}/${partition}`) ?? null;
  }

  subscribes(topic: string): boolean {
    return this.members.some((m) => m.topics.includes(topic));
  }

  // Stop-the-world like Kafka's eager protocol: everyone drains and commits, then partitions move.
  private rebalance(change: () => void): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      await Promise.all(this.members.map((m) => m.revokeAll()));
      change();
      const byMember = new Map<GroupMember, Array<{ topic: string; partition: number }>>();
      const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
      for (const topic of topics) {
        const subscribers = this.members.filter((m) => m.topics.includes(topic));
        this.broker.topic(topic).forEach((_, partition) => {
          const owner = subscribers[partition % subscribers.length]!;
          byMember.set(owner, [...(byMember.get(owner) ?? []), { topic, partition }]);
        });
      }
      await Promise.all(this.members.map((m) => m.assign(byMember.get(m) ?? [])));
    });
    return this.rebalancing;
  }
}

/**
 * An in-process broker: partitioned append-only logs, consumer groups with committed offsets,
 * redelivery of what was not committed. Several `MemoryTransport`s may share one broker to stand
 * for several processes; a transport that closes and a new one that joins the same group carry on
 * from the committed offsets, as after a restart.
 */
export class MemoryBroker {
  private readonly topics = new Map<string, Partition[]>();
  private readonly groups = new Map<string, ConsumerGroup>();

  /**
   * @param retainRecords records kept per partition after every group has committed past them, for
   *   inspection; older committed records are dropped so a long-running embedded process does not grow.
   */
  constructor(
    readonly defaultPartitions = DEFAULT_PARTITIONS,
    private readonly retainRecords = 10_000,
  ) {}

  /** Drops records every group that reads this partition has committed, keeping the newest `retainRecords`. */
  compact(topic: string, partition: number): void {
    const p = this.topic(topic)[partition]!;
    // Trim in steps of at least 16 records, so a small retention does not copy the log on every commit.
    if (p.end - p.start < this.retainRecords + Math.max(16, this.retainRecords)) return;
    let safe = p.end - this.retainRecords;
    for (const g of this.groups.values()) {
      const committed = g.committedOffset(topic, partition);
      if (committed !== null) safe = Math.min(safe, committed);
      else if (g.subscribes(topic)) return;
    }
    p.trimBefore(safe);
  }

  ensureTopic(name: string, partitions = this.defaultPartitions): void {
    if (!this.topics.has(name)) this.topics.set(name, Array.from({ length: partitions }, () => new Partition()));
  }

  topic(name: string): Partition[] {
    this.ensureTopic(name);
    return this.topics.get(name)!;
  }

  group(id: string): ConsumerGroup {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new ConsumerGroup(this)));
    return g;
  }

  append(record: OutgoingRecord, freeze = false): void {
    const partitions = this.topic(record.topic);
    const p = kafkaPartitionFor(record.key, partitions.length);
    partitions[p]!.append(storedRecord(record, Date.now(), freeze));
  }

  /** Every record currently in `topic`, in partition then offset order: for tests and inspection. */
  records(topic: string): ReceivedRecord[] {
    return this.topic(topic).flatMap((p, partition) =>
      Array.from({ length: p.end - p.start }, (_, i) => {
        const offset = p.start + i;
        return deliveredRecord(p.at(offset)!, topic, partition, offset);
      }),
    );
  }

  /** Records not yet committed by `groupId` across the given topics. */
  lag(groupId: string, topics: readonly string[]): number {
    const g = this.group(groupId);
    let lag = 0;
    for (const t of topics) this.topic(t).forEach((p, i) => (lag += p.end - g.position(t, i, true)));
    return lag;
  }
}

let nextMemberId = 1;

class MemoryConsumer implements ConsumerHandle, GroupMember {
  readonly id = nextMemberId++;
  readonly topics: readonly string[];
  private readonly scheduler: KeyedScheduler;
  private readonly group: ConsumerGroup;
  private loops: Array<{ abort: AbortController; done: Promise<void> }> = [];
  private stopped = false;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly options: ConsumeOptions,
  ) {
    this.topics = options.topics;
    this.scheduler = new KeyedScheduler(options.concurrency);
    this.group = broker.group(options.groupId);
  }

  start(): Promise<void> {
    return this.group.join(this);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.group.leave(this);
  }

  async assign(partitions: Array<{ topic: string; partition: number }>): Promise<void> {
    if (this.stopped && partitions.length > 0) return;
    for (const { topic, partition } of partitions) {
      const abort = new AbortController();
      this.loops.push({ abort, done: this.runPartition(topic, partition, abort.signal) });
    }
  }

  async revokeAll(): Promise<void> {
    const loops = this.loops;
    this.loops = [];
    for (const l of loops) l.abort.abort();
    await Promise.all(loops.map((l) => l.done));
  }

  private async runPartition(topic: string, partition: number, signal: AbortSignal): Promise<void> {
    const log = this.broker.topic(topic)[partition]!;
    let position = this.group.position(topic, partition, this.options.fromBeginning ?? false);
    // Per-partition window so one busy partition cannot take every slot of the scheduler.
    const window = Math.max(1, this.options.concurrency * 4);
    while (!signal.aborted) {
      const tracker = new OffsetTracker();
      let failed = false;
      const rewind = new AbortController();
      const wake = AbortSignal.any([signal, rewind.signal]);
      const inFlight = new Set<Promise<void>>();
      // Woken by whichever task settles next; Promise.race over the whole window would cost O(window) per record.
      let slotFreed: (() => void) | null = null;
      let sinceYield = 0;
      while (!signal.aborted && !failed) {
        await log.waitFor(position, wake);
        if (signal.aborted || failed) break;
        while (inFlight.size >= window) await new Promise<void>((r) => (slotFreed = r));
        if (failed) break;
        // The bus runs on promise callbacks alone; without a macrotask turn now and then, timers
        // (deadlines, retry back-off) and sockets (HTTP) would starve while a backlog drains.
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
        const offset = position++;
        const stored = log.at(offset)!;
        const record = deliveredRecord(stored, topic, partition, offset);
        tracker.begin(record.offset);
        const task = this.scheduler
          .run(record.key, () => this.options.handle(record, { heartbeat: async () => undefined }))
          .then(
            () => {
              const next = tracker.finish(record.offset);
              if (next !== null) this.group.commit(topic, partition, Number(next));
            },
            () => {
              failed = true;
              rewind.abort();
            },
          );
        const tracked = task.finally(() => {
          inFlight.delete(tracked);
          const resume = slotFreed;
          slotFreed = null;
          resume?.();
        });
        inFlight.add(tracked);
      }
      await Promise.all(inFlight);
      if (!failed) break;
      // Rewind to the first record not committed, as a Kafka consumer does after a failed batch.
      await new Promise((r) => setTimeout(r, REDELIVERY_PAUSE_MS));
      position = this.group.position(topic, partition, true);
    }
  }
}

/** The in-memory `Transport`: same topics, keys, per-key order and group semantics as Kafka. */
export class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  private readonly consumers = new Set<MemoryConsumer>();

  readonly verifiesHandOffs: boolean;

  constructor(
    readonly broker: MemoryBroker = new MemoryBroker(),
    options: { verifyHandOffs?: boolean } = {},
  ) {
    this.verifiesHandOffs = options.verifyHandOffs ?? false;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const t of topics) this.broker.ensureTopic(t.name, t.partitions);
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    for (const r of records) this.broker.append(r, this.verifiesHandOffs);
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    const consumer = new MemoryConsumer(this.broker, options);
    this.consumers.add(consumer);
    await consumer.start();
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  async consumerLag(groups: readonly { groupId: string; topics: readonly string[] }[]): Promise<ConsumerLag[]> {
    return groups.flatMap(({ groupId, topics }) => topics.map((topic) => ({ groupId, topic, lag: this.broker.lag(groupId, [topic]) })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
  }
}
