import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { KafkaTransport } from './kafka.transport.js';

jest.setTimeout(120_000);
const brokers = ['127.0.0.1:9092'];
const run = randomUUID().slice(0, 8);
const RATE = Number(process.env.RATE ?? 250);
const SECONDS = Number(process.env.SECONDS ?? 4);
const now = () => performance.now();
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]?.toFixed(1); };

it('one hop', async () => {
  const topic = `hop.${run}`;
  const t = new KafkaTransport({ brokers, clientId: 'hop' });
  await t.ensureTopics([{ name: topic, partitions: 6 }]);
  const sendLat: number[] = [];
  const e2e: number[] = [];
  const c = new KafkaTransport({ brokers, clientId: 'hop-c' });
  const h = await c.consume({ groupId: `hop-${run}`, topics: [topic], concurrency: 16, handle: async (r) => { e2e.push(now() - Number(r.value.toString())); } });
  const total = RATE * SECONDS;
  const started = Date.now();
  for (let n = 0; n < total; n++) {
    const wait = started + (n * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = now();
    void t.send([{ topic, key: `k${n}`, value: Buffer.from(String(t0)), headers: {} }]).then(() => sendLat.push(now() - t0));
  }
  const deadline = Date.now() + 30_000;
  while (e2e.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  console.log(`rate=${RATE} send p50=${q(sendLat, 0.5)} p99=${q(sendLat, 0.99)} | e2e p50=${q(e2e, 0.5)} p99=${q(e2e, 0.99)} n=${e2e.length}`);
  await h.stop();
  await c.close();
  await t.close();
});
