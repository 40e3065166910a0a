#!/usr/bin/env node
// Waits until a Kafka cluster accepts connections AND answers metadata
// (kafkajs admin describeCluster + listTopics). Used by scripts/kafka.sh.
//
// Usage: node scripts/wait-for-kafka.mjs [brokers] [timeoutSeconds]
//   brokers         comma-separated host:port list (default: $KAFKA_BROKERS or 127.0.0.1:9092)
//   timeoutSeconds  overall deadline (default: 90)
// Exit codes: 0 ready, 1 timed out.
// Set WAIT_FOR_KAFKA_PID to a process id to fail fast if that process dies.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const timeoutMs = Number(process.argv[3] || 90) * 1000;
const watchPid = process.env.WAIT_FOR_KAFKA_PID ? Number(process.env.WAIT_FOR_KAFKA_PID) : undefined;
const deadline = Date.now() + timeoutMs;
const quiet = process.env.WAIT_FOR_KAFKA_QUIET === '1';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let lastError = 'not tried';
let attempt = 0;
while (Date.now() < deadline) {
  attempt += 1;
  if (watchPid !== undefined && !alive(watchPid)) {
    console.error(`wait-for-kafka: broker process ${watchPid} exited`);
    process.exit(2);
  }
  const kafka = new Kafka({
    clientId: 'ballast-wait-for-kafka',
    brokers,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = await admin.listTopics();
    if (!cluster.brokers.length || cluster.controller === null || cluster.controller === undefined) {
      throw new Error('cluster has no brokers/controller yet');
    }
    if (!quiet) {
      console.log(
        `wait-for-kafka: ready after ${attempt} attempt(s): clusterId=${cluster.clusterId} ` +
          `brokers=${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')} ` +
          `controller=${cluster.controller} topics=${topics.length}`,
      );
    }
    await admin.disconnect().catch(() => {});
    process.exit(0);
  } catch (err) {
    lastError = err && err.message ? err.message : String(err);
    await admin.disconnect().catch(() => {});
  }
  await sleep(500);
}
console.error(`wait-for-kafka: ${brokers.join(',')} not ready after ${timeoutMs / 1000}s (last error: ${lastError})`);
process.exit(1);
