// The Helm chart's topic Job script, run on the real broker with Kafka's own kafka-topics.sh and
// kafka-configs.sh (scripts/kafka-cli.sh): it creates topics with the partitions, replication factor and
// retention from values, grows partitions on an upgrade, never shrinks them, and runs again harmlessly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { parseAllDocuments } from 'yaml';
import { assertBrokerReachable, kafkaClient } from './support/kafka-observer.js';

jest.setTimeout(300_000);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
// Topic names the chart's schema accepts (letters and dashes), unique to this run.
const tag = Array.from({ length: 8 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('');
const PLAIN = `ballast.it-${tag}-plain.v1`;
const WIDE = `ballast.it-${tag}-wide.v1`;

let scratch: string;
let kafkaBin: string;
let admin: Admin;

/** The rendered create-topics.sh for these values. */
function topicScript(topics: object): string {
  const values = join(scratch, `values-${Date.now()}.json`);
  writeFileSync(values, JSON.stringify({ topics, kafka: { brokers: BROKERS } }));
  const out = execFileSync('bash', [join(ROOT, 'scripts/helm.sh'), 'template', 'it', join(ROOT, 'deploy/helm/ballast'), '-f', values], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const configMap = parseAllDocuments(out)
    .map((d) => d.toJS() as { kind?: string; metadata?: { name: string }; data?: Record<string, string> } | null)
    .find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'it-ballast-topics');
  return configMap!.data!['create-topics.sh']!;
}

/** Runs the script as the Job's container does, with Kafka's CLI from KAFKA_BIN. */
function runJob(script: string) {
  const file = join(scratch, 'create-topics.sh');
  writeFileSync(file, script);
  return spawnSync('sh', [file], { encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: BROKERS, KAFKA_BIN: kafkaBin } });
}

async function topicState(topic: string) {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
  return { partitions: topics[0]!.partitions.length, retentionMs: resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')!.configValue };
}

beforeAll(async () => {
  await assertBrokerReachable(BROKERS);
  scratch = mkdtempSync(join(tmpdir(), 'ballast-topics-'));
  kafkaBin = execFileSync('bash', [join(ROOT, 'scripts/kafka-cli.sh'), 'bin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 240_000 }).trim();
  admin = kafkaClient(BROKERS, `topics-job-it-${process.pid}`).admin();
  await admin.connect();
}, 300_000);

afterAll(async () => {
  await admin?.deleteTopics({ topics: [PLAIN, WIDE] }).catch(() => undefined);
  await admin?.disconnect();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the chart topic Job on the real broker', () => {
  it('creates each topic as values say, grows partitions on an upgrade, keeps more than asked, and can run again', async () => {
    const first = runJob(topicScript({ names: [PLAIN, WIDE], partitions: 2, replicationFactor: 1, retentionMs: 3_600_000, overrides: { [WIDE]: { partitions: 3, retentionMs: 7_200_000 } } }));
    expect({ status: first.status, stderr: first.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('SLF4J')) }).toEqual({ status: 0, stderr: [] });
    expect(await topicState(PLAIN)).toEqual({ partitions: 2, retentionMs: '3600000' });
    expect(await topicState(WIDE)).toEqual({ partitions: 3, retentionMs: '7200000' });

    // An upgrade with more partitions and another retention: PLAIN grows, WIDE keeps its 3 (asked for 1).
    const upgrade = runJob(topicScript({ names: [PLAIN, WIDE], partitions: 4, replicationFactor: 1, retentionMs: 86_400_000, overrides: { [WIDE]: { partitions: 1 } } }));
    expect(upgrade.status).toBe(0);
    expect(upgrade.stdout).toContain(`${PLAIN}: 2 -> 4 partitions`);
    expect(upgrade.stdout).toContain(`${WIDE}: keeps its 3 partitions (values ask for 1; Kafka cannot remove partitions)`);
    expect(await topicState(PLAIN)).toEqual({ partitions: 4, retentionMs: '86400000' });
    expect(await topicState(WIDE)).toEqual({ partitions: 3, retentionMs: '86400000' });
  });
});
