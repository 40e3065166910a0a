import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { KeyedScheduler } from '../keyed-scheduler.js';
import { OffsetTracker } from '../offset-tracker.js';
import type { ConsumeOptions, ConsumerHandle, DeliveryControl, ReceivedRecord } from '../transport.js';
import { describeError, type TransportLog } from './kafka-logging.js';
import { OffsetCommitter, isGroupMembershipError } from './offset-committer.js';

export interface GroupConsumerSettings {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeInMs: number;
  minBytes: number;
  maxBytesPerPartition: number;
  /** Upper bound for kafkajs `partitionsConsumedConcurrently`. */
  maxPartitionsConsumedConcurrently: number;
  joinTimeoutMs: number;
  redeliveryPauseMs: number;
  maxRedeliveryPauseMs: number;
  commitIntervalMs: number;
  /** For error messages only. */
  brokers: readonly string[];
}

/** Thrown inside a scheduled task that the batch no longer wants to run (stop, rebalance, failure). */
const CANCELLED = new Error('cancelled: the batch ended before this record started');
const EMPTY = Buffer.alloc(0);

function toRecord(topic: string, partition: number, message: KafkaMessage): ReceivedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? EMPTY,
    headers: decodeHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Kafka headers are bytes and may repeat; the port has one string per name (the last one wins). */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return out;
}

/**
 * One kafkajs consumer (one group member) driven through `eachBatch`.
 *
 * - Records of a batch go to a `KeyedScheduler` shared by every partition of this member, so the
 *   same key runs in log order and different keys run side by side up to `concurrency`.
 * - An `OffsetTracker` per partition batch gives the highest offset below which everything has
 *   finished; that offset is resolved (the next fetch starts there) and committed. A batch returns
 *   only after everything it started has settled and its offsets are committed, so nothing of a
 *   batch is in flight while kafkajs fetches again, rejoins the group after a rebalance, or leaves.
 * - A failed record stops the rest of its partition's batch; records already running finish, the
 *   safe prefix is committed, the partition is paused briefly, and because nothing at or after the
 *   failed offset was resolved, the next fetch reads from the failed record again. Nothing is thrown
 *   into kafkajs, which would retry the whole fetch loop and eventually restart the consumer.
 */
export class KafkaGroupConsumer implements ConsumerHandle {
  private readonly consumer: Consumer;
  private readonly scheduler: KeyedScheduler;
  private readonly committer: OffsetCommitter;
  private readonly control: DeliveryControl;
  /** Records of one partition submitted but not settled, at most; keeps stops and failures prompt. */
  private readonly window: number;
  private readonly abort = new AbortController();
  private stopping = false;
  private stopped?: Promise<void>;
  private crashed = false;
  /** Bumped when a heartbeat or commit says the membership is changing: running batches wind down. */
  private groupEpoch = 0;
  private beat: (() => Promise<void>) | null = null;
  private nextBeatAt = 0;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Consecutive redeliveries per partition, for the pause before the next one. */
  private readonly redeliveries = new Map<string, number>();
  private readonly unlisten: Array<() => void> = [];

  constructor(
    kafka: Kafka,
    private readonly options: ConsumeOptions,
    private readonly settings: GroupConsumerSettings,
    private readonly log: TransportLog,
  ) {
    if (options.topics.length === 0) throw new Error('consume() needs at least one topic');
    this.scheduler = new KeyedScheduler(options.concurrency);
    this.window = Math.max(1, options.concurrency * 4);
    this.control = { heartbeat: () => this.heartbeat() };
    this.committer = new OffsetCommitter({
      intervalMs: settings.commitIntervalMs,
      maxAttempts: 3,
      onError: (error, willRetry) => {
        if (isGroupMembershipError(error)) this.groupEpoch++;
        this.log.warn('offset commit failed; the records after the last commit will be delivered again', {
          groupId: options.groupId,
          error: describeError(error),
          willRetry,
        });
      },
    });
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitTimeInMs,
      minBytes: settings.minBytes,
      maxBytesPerPartition: settings.maxBytesPerPartition,
    });
  }

  /** Connects, subscribes and runs; resolves once the member has joined and fetched once. */
  async start(): Promise<void> {
    const { groupId, topics } = this.options;
    const what = `Kafka consumer of group "${groupId}" (topics ${topics.join(', ')}, brokers ${this.settings.brokers.join(',')})`;
    const { events } = this.consumer;
    const joined = new Promise<void>((resolve, reject) => {
      let sawJoin = false;
      const offJoin = this.consumer.on(events.GROUP_JOIN, () => {
        sawJoin = true;
      });
      // The first fetch after the join has looked up the starting offsets (committed, or earliest /
      // latest for a new group), so a record sent after consume() resolves is never skipped.
      const offFetch = this.consumer.on(events.FETCH, () => {
        if (sawJoin) finish();
      });
      const offCrash = this.consumer.on(events.CRASH, (event) => {
        if (!event.payload.restart) finish(new Error(`${what} crashed while joining: ${describeError(event.payload.error)}`));
      });
      const onAbort = () => finish(new Error(`${what} was stopped before it joined the group`));
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => finish(new Error(`${what} did not join the group within ${this.settings.joinTimeoutMs} ms; is the broker reachable?`)),
        this.settings.joinTimeoutMs,
      );
      function finish(error?: Error): void {
        clearTimeout(timer);
        offJoin();
        offFetch();
        offCrash();
        if (error) reject(error);
        else resolve();
      }
    });
    joined.catch(() => undefined);
    const setup = (async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...topics], fromBeginning: this.options.fromBeginning ?? false });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: Math.max(1, Math.min(this.options.concurrency, this.settings.maxPartitionsConsumedConcurrently)),
        eachBatch: (payload) => this.onBatch(payload),
      });
    })();
    setup.catch(() => undefined);
    try {
      await Promise.all([setup, joined]);
    } catch (error) {
      this.abort.abort();
      await this.consumer.disconnect().catch(() => undefined);
      if (error instanceof Error && error.message.startsWith(what)) throw error;
      throw new Error(`${what} could not start: ${describeError(error)}`, { cause: error });
    }
    this.unlisten.push(
      this.consumer.on(events.CRASH, (event) => {
        if (!event.payload.restart) {
          this.crashed = true;
          this.log.error('consumer crashed and will not restart; its partitions go to other members', {
            groupId,
            error: describeError(event.payload.error),
          });
        }
      }),
    );
  }

  /** False once kafkajs crashed for good after the start (it will not restart) or a stop began: what readiness reports. */
  get running(): boolean {
    return !this.crashed && !this.stopping;
  }

  /** Stops fetching, lets started records finish, commits them, then leaves the group. */
  stop(): Promise<void> {
    return (this.stopped ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    // Running batches see `stopping`: records not started yet are cancelled, started ones finish and
    // are committed inside the batch. kafkajs' disconnect stops the fetch loop, waits for those
    // batches to return (they commit through the group, still a member), then leaves and disconnects.
    this.stopping = true;
    this.abort.abort();
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    try {
      await this.consumer.disconnect();
    } catch (error) {
      this.log.warn('consumer disconnect failed', { groupId: this.options.groupId, error: describeError(error) });
    } finally {
      this.committer.discard();
      for (const off of this.unlisten.splice(0)) off();
    }
    await this.scheduler.idle();
  }

  /** Throttled kafkajs heartbeat; never rejects, a failure winds the running batches down instead. */
  private heartbeat(): Promise<void> {
    const now = Date.now();
    const beat = this.beat;
    if (now < this.nextBeatAt || !beat) return Promise.resolve();
    this.nextBeatAt = now + Math.max(100, this.settings.heartbeatIntervalMs / 2);
    return beat().then(
      () => undefined,
      () => {
        // REBALANCE_IN_PROGRESS, a lost membership, or the coordinator unreachable: stop taking new
        // records, finish and commit what runs, and let kafkajs rejoin (its own heartbeat fails too).
        this.groupEpoch++;
        this.nextBeatAt = Date.now() + 100;
      },
    );
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, resolveOffset } = payload;
    const { topic, partition } = batch;
    if (this.stopping || batch.messages.length === 0) return;
    const commit = payload.commitOffsetsIfNecessary;
    this.beat = payload.heartbeat;
    const epoch = this.groupEpoch;
    let failed = false;
    const halted = () => failed || this.stopping || epoch !== this.groupEpoch || !isRunning() || isStale();

    const tracker = new OffsetTracker();
    const firstOffset = BigInt(batch.messages[0]!.offset);
    const lastMessageOffset = batch.messages[batch.messages.length - 1]!.offset;
    // Past the last record there may be control records kafkajs filtered out; commit past them too.
    const batchEnd = (BigInt(batch.lastOffset()) + 1n).toString();
    let resolved: string | null = null;
    const advance = (next: string) => {
      if (next === resolved || BigInt(next) <= firstOffset) return;
      resolved = next;
      const done = (BigInt(next) - 1n).toString();
      // kafkajs stores offset + 1 as the next fetch position; the committed offset is the next to read.
      resolveOffset(done);
      this.committer.mark(commit, topic, partition, done === lastMessageOffset && BigInt(batchEnd) > BigInt(next) ? batchEnd : next);
    };

    const inFlight = new Set<Promise<void>>();
    let slotFreed: (() => void) | null = null;
    const settled = (tracked: Promise<void>) => {
      inFlight.delete(tracked);
      const resume = slotFreed;
      slotFreed = null;
      resume?.();
    };
    const beatTimer = setInterval(() => void this.heartbeat(), Math.max(100, this.settings.heartbeatIntervalMs / 2));
    beatTimer.unref();
    try {
      // Not awaited: a due heartbeat must not delay the batch; if it reports a rebalance, the batch
      // sees the bumped epoch and winds down.
      void this.heartbeat();
      for (const message of batch.messages) {
        // Woken by whichever task settles next; Promise.race over the whole window costs O(window) per record.
        while (inFlight.size >= this.window && !halted()) await new Promise<void>((r) => (slotFreed = r));
        if (halted()) break;
        const record = toRecord(topic, partition, message);
        tracker.begin(record.offset);
        const task = this.scheduler.run(record.key, async () => {
          if (halted()) throw CANCELLED;
          try {
            await this.options.handle(record, this.control);
          } catch (error) {
            failed = true;
            this.log.warn('handler rejected a record; it will be delivered again', {
              groupId: this.options.groupId,
              topic,
              partition,
              offset: record.offset,
              error: describeError(error),
            });
            throw error;
          }
        });
        const tracked: Promise<void> = task.then(
          () => {
            settled(tracked);
            const next = tracker.finish(record.offset);
            if (next !== null) advance(next);
          },
          () => {
            settled(tracked);
          },
        );
        inFlight.add(tracked);
      }
      await Promise.all(inFlight);
    } finally {
      clearInterval(beatTimer);
    }
    await this.committer.flush();

    const key = `${topic}\u0000${partition}`;
    if (failed && !this.stopping) this.pauseBeforeRedelivery(payload.pause, key);
    else if (resolved !== null) this.redeliveries.delete(key);
  }

  /**
   * Pauses the partition for a moment (doubling while the same partition keeps failing) so a
   * failing record is not re-fetched in a tight loop; other partitions keep flowing meanwhile.
   */
  private pauseBeforeRedelivery(pause: () => () => void, key: string): void {
    const n = (this.redeliveries.get(key) ?? 0) + 1;
    this.redeliveries.set(key, n);
    const delay = Math.min(this.settings.maxRedeliveryPauseMs, this.settings.redeliveryPauseMs * 2 ** Math.min(n - 1, 16));
    const resume = pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, delay);
    timer.unref();
    this.resumeTimers.add(timer);
  }
}
