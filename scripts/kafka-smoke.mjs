#!/usr/bin/env node
// End-to-end smoke test of kafkajs against the local (or $KAFKA_BROKERS) Kafka cluster.
//
//   npx node scripts/kafka-smoke.mjs          (brokers: $KAFKA_BROKERS or 127.0.0.1:9092)
//
// Checks, each against the real broker, exiting 0 only if all pass:
//   1. admin: describeCluster, createTopics (3 partitions), fetchTopicMetadata
//   2. idempotent producer, acks=all, headers, keys spread over partitions, one gzip batch
//   3. consumer group (eachMessage, autoCommit off) reads everything, commits explicitly;
//      admin.fetchOffsets sees the committed offsets; describeGroups sees the member
//   4. a second consumer in the same group resumes from the commits (gets only new records)
//   5. eachBatch with resolveOffset/heartbeat/commitOffsetsIfNecessary, 2 members rebalancing
//   6. transactional producer + read_committed consumer (aborted records stay invisible)
//   7. cleanup: deleteTopics, deleteGroups
import kafkajs from 'kafkajs';
import { randomUUID } from 'node:crypto';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((s) => s.trim());
const run = randomUUID().slice(0, 8);
const topic = `ballast.smoke.${run}`;
const txTopic = `ballast.smoke.tx.${run}`;
const group = `ballast-smoke-${run}`;
const batchGroup = `ballast-smoke-batch-${run}`;
const txGroup = `ballast-smoke-tx-${run}`;

const kafka = new Kafka({
  clientId: 'ballast-smoke',
  brokers,
  logLevel: process.env.KAFKA_SMOKE_DEBUG ? logLevel.DEBUG : logLevel.WARN,
  retry: { retries: 5, initialRetryTime: 200 },
});

const t0 = Date.now();
const step = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
async function until(pred, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}
// Consumers can't be used if they never get an assignment; kafkajs emits GROUP_JOIN.
function joined(consumer) {
  return new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload)));
}

const admin = kafka.admin();
const cleanups = [];

async function main() {
  await admin.connect();
  const cluster = await admin.describeCluster();
  step(`cluster ${cluster.clusterId}: brokers ${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`)}`);

  // 1. topics
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 3, replicationFactor: 1 },
      { topic: txTopic, numPartitions: 1, replicationFactor: 1 },
    ],
  });
  assert(created === true, 'createTopics returned true');
  cleanups.push(() => admin.deleteTopics({ topics: [topic, txTopic], timeout: 10000 }));
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  assert(md.topics[0].partitions.length === 3, '3 partitions');
  step(`created topics ${topic} (3 partitions) and ${txTopic}`);

  // 2. produce
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const N = 30;
  const msgs = Array.from({ length: N }, (_, i) => ({
    key: `key-${i % 7}`,
    value: JSON.stringify({ i, run }),
    headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, attempt: '1' },
  }));
  const res1 = await producer.send({ topic, acks: -1, messages: msgs.slice(0, 20) });
  const res2 = await producer.send({
    topic,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: msgs.slice(20),
  });
  assert(res1.every((r) => r.errorCode === 0) && res2.every((r) => r.errorCode === 0), 'produce errorCode 0');
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((s, p) => s + Number(p.high), 0);
  assert(total === N, `high watermarks sum to ${N} (got ${total})`);
  step(`produced ${N} records (idempotent, acks=all, one gzip batch); partitions ${offsets.map((p) => `${p.partition}:${p.high}`)}`);

  // 3. consume in a group with explicit commits
  const seen = new Map();
  const c1 = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  await c1.connect();
  cleanups.push(() => c1.disconnect());
  await c1.subscribe({ topics: [topic], fromBeginning: true });
  const joined1 = joined(c1);
  await c1.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      const v = JSON.parse(message.value.toString());
      assert(message.headers.traceparent?.toString().startsWith('00-'), 'headers round-trip');
      seen.set(v.i, { partition, offset: message.offset });
      await c1.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  const j = await joined1;
  step(`consumer joined group ${group} as ${j.isLeader ? 'leader' : 'member'}, assignment ${JSON.stringify(j.memberAssignment)}`);
  await until(() => seen.size === N, `${N} records consumed`);
  step(`consumed ${seen.size}/${N} records, committed per record`);
  const desc = await admin.describeGroups([group]);
  assert(desc.groups[0].state === 'Stable' && desc.groups[0].members.length === 1, `group Stable with 1 member (got ${desc.groups[0].state})`);
  await c1.disconnect();
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const committedSum = committed[0].partitions.reduce((s, p) => s + Number(p.offset), 0);
  assert(committedSum === N, `committed offsets sum to ${N} (got ${committedSum})`);
  step(`admin.fetchOffsets: ${committed[0].partitions.map((p) => `${p.partition}:${p.offset}`)}`);

  // 4. resume from commits
  await producer.send({ topic, acks: -1, messages: [{ key: 'late', value: JSON.stringify({ i: N, run }) }] });
  const resumed = [];
  const c2 = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  await c2.connect();
  cleanups.push(() => c2.disconnect());
  await c2.subscribe({ topics: [topic], fromBeginning: true });
  await c2.run({
    eachMessage: async ({ message }) => {
      resumed.push(JSON.parse(message.value.toString()).i);
    },
  });
  await until(() => resumed.length >= 1, 'resumed consumer to get the new record');
  await sleep(1500); // anything re-delivered would show up here
  assert(resumed.length === 1 && resumed[0] === N, `resumed consumer got only the new record (got ${resumed})`);
  await c2.disconnect(); // autoCommit on: commits on leave
  step('second consumer in the same group resumed from committed offsets (1 new record, no redelivery)');

  // 5. eachBatch, two members
  const batchSeen = new Set();
  const mk = (name) => {
    const c = kafka.consumer({ groupId: batchGroup, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    cleanups.push(() => c.disconnect());
    return { c, name };
  };
  const members = [mk('a'), mk('b')];
  const perMember = { a: 0, b: 0 };
  for (const { c, name } of members) {
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }) => {
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          batchSeen.add(`${batch.partition}:${m.offset}`);
          perMember[name] += 1;
          resolveOffset(m.offset);
          await heartbeat();
        }
        // with autoCommit off, commitOffsetsIfNecessary() alone is a no-op: pass the offsets
        await commitOffsetsIfNecessary(uncommittedOffsets());
      },
    });
  }
  await until(() => batchSeen.size === N + 1, `${N + 1} records via eachBatch`, 45000);
  await until(async () => {
    const o = await admin.fetchOffsets({ groupId: batchGroup, topics: [topic] });
    return o[0].partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0) === N + 1;
  }, 'eachBatch group offsets committed');
  const bdesc = await admin.describeGroups([batchGroup]);
  step(`eachBatch group: ${batchSeen.size} records, per member ${JSON.stringify(perMember)}, members now ${bdesc.groups[0].members.length}, state ${bdesc.groups[0].state}`);
  for (const { c } of members) await c.disconnect();

  // 6. transactions
  const txProducer = kafka.producer({ transactionalId: `ballast-smoke-tx-${run}`, maxInFlightRequests: 1, idempotent: true });
  await txProducer.connect();
  cleanups.push(() => txProducer.disconnect());
  const commitTx = await txProducer.transaction();
  await commitTx.send({ topic: txTopic, messages: [{ key: 'k', value: 'committed' }] });
  await commitTx.commit();
  const abortTx = await txProducer.transaction();
  await abortTx.send({ topic: txTopic, messages: [{ key: 'k', value: 'aborted' }] });
  await abortTx.abort();
  const commitTx2 = await txProducer.transaction();
  await commitTx2.send({ topic: txTopic, messages: [{ key: 'k', value: 'committed-2' }] });
  await commitTx2.sendOffsets({ consumerGroupId: txGroup, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
  await commitTx2.commit();
  await txProducer.disconnect();
  const txSeen = [];
  const c3 = kafka.consumer({ groupId: `${txGroup}-reader`, readUncommitted: false, maxWaitTimeInMs: 500 });
  await c3.connect();
  cleanups.push(() => c3.disconnect());
  await c3.subscribe({ topics: [txTopic], fromBeginning: true });
  await c3.run({ eachMessage: async ({ message }) => void txSeen.push(message.value.toString()) });
  await until(() => txSeen.length >= 2, 'committed transactional records');
  await sleep(1000);
  await c3.disconnect();
  assert(JSON.stringify(txSeen) === JSON.stringify(['committed', 'committed-2']), `read_committed saw ${JSON.stringify(txSeen)}`);
  const txOffsets = await admin.fetchOffsets({ groupId: txGroup, topics: [topic] });
  assert(txOffsets[0].partitions.find((p) => p.partition === 0).offset === '1', 'sendOffsets committed offset 1');
  step(`transactions: read_committed consumer saw ${JSON.stringify(txSeen)} (abort hidden); sendOffsets committed`);

  // 7. cleanup
  await admin.deleteGroups([group, batchGroup, txGroup, `${txGroup}-reader`]);
  await admin.deleteTopics({ topics: [topic, txTopic], timeout: 10000 });
  cleanups.length = 0;
  await admin.disconnect();
  step('deleted groups and topics');
}

try {
  await main();
  console.log(`kafka-smoke: OK (${((Date.now() - t0) / 1000).toFixed(1)}s against ${brokers.join(',')})`);
  process.exit(0);
} catch (err) {
  console.error(`kafka-smoke: FAILED: ${err && err.stack ? err.stack : err}`);
  for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => {});
  await admin.disconnect().catch(() => {});
  process.exit(1);
}
