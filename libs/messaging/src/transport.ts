/** A record as it travels on the wire: bytes plus string headers, keyed for partitioning. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /**
   * The envelope `value` encodes, when the producer built it from typed data (`Publisher` sets it).
   * A transport that delivers inside this process (the in-memory bus) hands it to consumers, which
   * then skip decoding and validating the bytes; one that crosses a process edge (Kafka) sends only
   * the bytes, so validation stays at every process edge. Consumers never mutate it.
   */
  decoded?: unknown;
}

export interface ReceivedRecord extends OutgoingRecord {
  partition: number;
  offset: string;
  /** Broker or bus timestamp, epoch milliseconds. */
  timestamp: number;
}

export interface DeliveryControl {
  /** Keeps the consumer's group membership alive during a long handler. Cheap to call often. */
  heartbeat(): Promise<void>;
}

export interface ConsumeOptions {
  groupId: string;
  topics: readonly string[];
  /**
   * How many records may be handled at once. Records with the same key are always handled one
   * after another in log order; different keys run side by side up to this limit.
   */
  concurrency: number;
  fromBeginning?: boolean;
  /**
   * Handles one record. The transport commits a record only after this resolves (and after every
   * earlier record of its partition has resolved). A rejection means "not handled": the record is
   * delivered again, to this or another member of the group.
   */
  handle(record: ReceivedRecord, control: DeliveryControl): Promise<void>;
}

export interface ConsumerHandle {
  /** Stops fetching, waits for in-flight records, commits what finished, and leaves the group. */
  stop(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** Records a consumer group has not committed yet on one topic, summed over its partitions. */
export interface ConsumerLag {
  groupId: string;
  topic: string;
  /** Newest offset minus committed offset per partition, summed; a partition the group never committed counts from its oldest record. */
  lag: number;
}

/**
 * The one seam between Ballast and its message bus. Kafka (kafkajs) in distributed mode, the
 * in-memory bus in embedded mode and unit tests; both pass the same contract suite.
 */
export interface Transport {
  readonly kind: 'kafka' | 'memory';
  /** Consumers check each in-process hand-off (`decoded`) against its bytes' decoding (`BALLAST_BUS_VERIFY`). */
  readonly verifiesHandOffs?: boolean;
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Resolves once every record is durably accepted (acks=all on Kafka). */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Joins the group and starts delivering; resolves once the consumer is running. */
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;
  /** How far each group is behind on each of its topics (for `ballast_consumer_lag`); a transport that cannot tell leaves it out. */
  consumerLag?(groups: readonly { groupId: string; topics: readonly string[] }[]): Promise<ConsumerLag[]>;
  close(): Promise<void>;
}
