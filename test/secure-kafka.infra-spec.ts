// The secure local broker (`npm run kafka:up -- --secure`: SASL_SSL with SCRAM-SHA-512, the
// StandardAuthorizer, the ACLs of `npm run kafka:acls`): a client without credentials is refused,
// a service holding another service's credentials cannot read or write outside that service's ACL,
// and services with their own credentials pass records along their own topics.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import kafkajs, { type Kafka, type KafkaConfig } from 'kafkajs';
import { TOPICS } from '#contracts';
import { KafkaTransport, kafkaSecurityFrom, type ReceivedRecord } from '#messaging';
import { DistributedStack, ensureBuilt, SERVICE_NAMES, seedDatabase } from './support/distributed-stack.js';
import { secureKafkaFiles, serviceKafkaEnv } from './support/secure-kafka.js';

jest.setTimeout(90_000);

const DIR = process.env.BALLAST_TEST_KAFKA_SECURE_DIR ?? join(process.cwd(), '.kafka', 'secure');
const BROKERS = (process.env.KAFKA_SECURE_BROKERS ?? '127.0.0.1:9094').split(',');
const { caFile: CA_FILE, passwordFile } = secureKafkaFiles(DIR);
const run = `${process.pid}-${Date.now()}`;

/** The kafkajs security a service started with these credentials would use (the same code path as its main.ts). */
const securityOf = (user: string) => kafkaSecurityFrom(serviceKafkaEnv(secureKafkaFiles(DIR), user));

/** Broker errors kafkajs logged (at debug level) for each client: it reports some only there. */
const brokerErrors = new Map<string, string[]>();
const client = (clientId: string, extra: Partial<KafkaConfig>): Kafka => {
  const errors: string[] = [];
  brokerErrors.set(clientId, errors);
  return new kafkajs.Kafka({
    brokers: BROKERS,
    clientId: `${clientId}-${run}`,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 100 },
    logLevel: kafkajs.logLevel.DEBUG,
    logCreator: () => (entry) => {
      const error = (entry.log as { error?: unknown }).error;
      if (error) errors.push(typeof error === 'string' ? error : ((error as { type?: string }).type ?? String(error)));
    },
    ...extra,
  });
};

const transports: KafkaTransport[] = [];
const transportAs = (user: string) => {
  const t = new KafkaTransport({ brokers: BROKERS, clientId: `secure-spec-${user}-${run}`, ...securityOf(user), logLevel: 'error', logWriter: () => undefined });
  transports.push(t);
  return t;
};

/**
 * Starts a consumer and resolves with the first non-retriable error it crashes with (or null if it ran
 * `within` ms without one). Retriable ones (a coordinator still loading on a fresh broker) are retried.
 */
async function crashOf(kafka: Kafka, groupId: string, topic: string, within = 15_000): Promise<{ type?: string; message: string } | null> {
  const consumer = kafka.consumer({ groupId, retry: { retries: 5, initialRetryTime: 200 } });
  try {
    const crashed = new Promise<{ type?: string; message: string }>((resolve) => {
      consumer.on(consumer.events.CRASH, (e) => {
        const error = e.payload.error as unknown as { type?: string; message: string; retriable?: boolean };
        if (!error.retriable) resolve(error);
      });
    });
    const started = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
    })().catch((error: unknown) => error as { type?: string; message: string });
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), within).unref());
    const first = await Promise.race([crashed, started.then((e) => e ?? new Promise<never>(() => undefined)), timeout]);
    return first;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

const record = (topic: string, text: string) => ({ topic, key: `k-${run}`, value: Buffer.from(text), headers: {} });

beforeAll(() => {
  if (!existsSync(CA_FILE) || !existsSync(passwordFile('ingress'))) {
    throw new Error(`no secure broker credentials in ${DIR}: start it with npm run kafka:up -- --secure`);
  }
});
describe('the secure broker refuses clients without valid credentials', () => {
  it('a client without credentials (TLS only, no SASL) cannot list topics', async () => {
    const admin = client('no-credentials', { ssl: { ca: [readFileSync(CA_FILE, 'utf8')], rejectUnauthorized: true } }).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
  });

  it('a plaintext client cannot talk to the TLS listener', async () => {
    const admin = client('plaintext', {}).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
  });

  it('a service name with a wrong password fails SASL authentication', async () => {
    const admin = client('wrong-password', { ...securityOf('ingress'), sasl: { mechanism: 'scram-sha-512', username: 'ingress', password: 'not-the-password' } }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed|Authentication failed/i);
    await admin.disconnect().catch(() => undefined);
  });

  it('a broker certificate signed by another CA is refused by the client (TLS verification is on)', async () => {
    const admin = client('wrong-ca', { ...securityOf('ingress'), ssl: { rejectUnauthorized: true, ca: [] } }).admin();
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
  });
});

describe("a service's credentials reach only that service's topics and groups", () => {
  // Closed before the six services start: a consumer left in the guardrail group would take their partitions.
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
  });

  it('ingress credentials cannot read the guardrail input topic, even through the guardrail group', async () => {
    const asIngress = client('ingress-reads-guard-input', securityOf('ingress'));
    const viaOwnGroup = await crashOf(asIngress, 'ingress', TOPICS.guardInput);
    expect(viaOwnGroup?.type ?? viaOwnGroup?.message).toMatch(/TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/);
    // kafkajs reports a refused group as "Failed to find group coordinator" and logs the broker's reason.
    const viaGuardrailGroup = await crashOf(client('ingress-joins-guardrail', securityOf('ingress')), 'guardrail', TOPICS.guardInput);
    expect(viaGuardrailGroup).not.toBeNull();
    expect(brokerErrors.get('ingress-joins-guardrail')!.join(' ')).toMatch(/GROUP_AUTHORIZATION_FAILED|Not authorized to access group/);
  });

  it('guardrail credentials cannot join the ingress consumer group on a topic guardrail may read', async () => {
    const crash = await crashOf(client('guardrail-joins-ingress', securityOf('guardrail')), 'ingress', TOPICS.guardInput);
    expect(crash).not.toBeNull();
    expect(brokerErrors.get('guardrail-joins-ingress')!.join(' ')).toMatch(/GROUP_AUTHORIZATION_FAILED|Not authorized to access group/);
  });

  it('ingress credentials cannot write the model output topic, nor metrics credentials the guardrail input', async () => {
    await expect(transportAs('ingress').send([record(TOPICS.guardOutput, 'forged output')])).rejects.toThrow(/Not authorized to access topics|TOPIC_AUTHORIZATION_FAILED/);
    await expect(transportAs('metrics').send([record(TOPICS.guardInput, 'forged input')])).rejects.toThrow(/Not authorized to access topics|TOPIC_AUTHORIZATION_FAILED/);
  });

  it('with their own credentials, ingress writes the guardrail input and guardrail reads it in its own group', async () => {
    const guardrail = transportAs('guardrail');
    const text = `hello from ingress ${run}`;
    const received = new Promise<ReceivedRecord>((resolve) => {
      void guardrail.consume({
        groupId: 'guardrail',
        topics: [TOPICS.guardInput],
        concurrency: 1,
        handle: async (r) => {
          if (r.value.toString() === text) resolve(r);
        },
      });
    });
    // The group has joined once consume() resolves; give it its partitions before sending.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await transportAs('ingress').send([record(TOPICS.guardInput, text)]);
    const r = await received;
    expect(r.topic).toBe(TOPICS.guardInput);
    expect(r.value.toString()).toBe(text);
  });
});

describe('the six services, each with its own credentials, on the secure broker', () => {
  const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
  const logDir = mkdtempSync(join(tmpdir(), 'ballast-secure-stack-'));
  let stack: DistributedStack | undefined;
  let ok = false;

  beforeAll(async () => {
    await ensureBuilt();
    await seedDatabase(DATABASE_URL);
    const env = Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceKafkaEnv(secureKafkaFiles(DIR), name)]));
    stack = await DistributedStack.start({ brokers: BROKERS.join(','), databaseUrl: DATABASE_URL, runId: `secure-${run}`, logDir, env, readyTimeoutMs: 90_000 });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    if (ok) rmSync(logDir, { recursive: true, force: true });
    else process.stderr.write(`secure-kafka.infra-spec: service logs kept in ${logDir}\n`);
  }, 60_000);

  it('answers a request through ingress, guardrail, cache, inference and guardrail again, and no service was refused by the broker', async () => {
    const requestId = `secure-e2e-${run}`;
    const response = await fetch(`http://127.0.0.1:${stack!.service('ingress').port}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-key', 'content-type': 'application/json' },
      body: JSON.stringify({ requestId, prompt: { name: 'support-answer' }, variables: { question: `Where is parcel ${run}?` } }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json()) as { status: string; source: string; verdicts: { phase: string }[] };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ status: 'completed', source: 'inference' });
    expect(new Set(body.verdicts.map((v) => v.phase))).toEqual(new Set(['input', 'output']));
    stack!.assertAlive();
    const logs = SERVICE_NAMES.map((name) => readFileSync(stack!.service(name).logFile, 'utf8')).join('\n');
    expect(logs).not.toMatch(/AUTHORIZATION_FAILED|Not authorized|SASL.*failed/i);
    // No password reached a log line.
    for (const name of SERVICE_NAMES) expect(logs).not.toContain(readFileSync(passwordFile(name), 'utf8').trim());
    ok = true;
  });
});
