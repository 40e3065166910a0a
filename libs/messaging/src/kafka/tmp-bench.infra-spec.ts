import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { KafkaTransport } from './kafka.transport.js';

jest.setTimeout(120_000);
const brokers = ['127.0.0.1:9092'];
const run = randomUUID().slice(0, 8);
const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 10);
const HOPS = 6;

it('bench', async () => {
  const topics = Array.from({ length: HOPS + 1 }, (_, i) => `bench.h${i}.${run}`);
  const admin = new KafkaTransport({ brokers, clientId: 'bench-admin' });
  await admin.ensureTopics(topics.map((name) => ({ name, partitions: 6 })));
  const transports: KafkaTransport[] = [admin];
  const latencies: number[] = [];
  const perHop: number[][] = Array.from({ length: HOPS }, () => []);
  const sendLat: number[][] = Array.from({ length: HOPS }, () => []);
  const handles = [];
  for (let i = 0; i < HOPS; i++) {
    const t = new KafkaTransport({ brokers, clientId: `bench-${i}` });
    transports.push(t);
    const last = i === HOPS - 1;
    handles.push(
      await t.consume({
        groupId: `bench-${i}-${run}`,
        topics: [topics[i]!],
        concurrency: 16,
        handle: async (r) => {
          perHop[i]!.push(performance.timeOrigin + performance.now() - Number(r.value.toString()));
          if (last) {
            const t0 = Number(r.value.toString());
            latencies.push(performance.timeOrigin + performance.now() - t0);
            return;
          }
          const s0 = performance.now();
          await t.send([{ topic: topics[i + 1]!, key: r.key, value: r.value, headers: r.headers }]);
          sendLat[i]!.push(performance.now() - s0);
        },
      }),
    );
  }
  const producer = new KafkaTransport({ brokers, clientId: 'bench-src' });
  transports.push(producer);
  await producer.send([{ topic: topics[0]!, key: 'warm', value: Buffer.from(String(Date.now())), headers: {} }]);
  await new Promise((r) => setTimeout(r, 1000));
  latencies.length = 0;
  const total = RATE * SECONDS;
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    void producer.send([{ topic: topics[0]!, key: `req-${n}`, value: Buffer.from(String(performance.timeOrigin + performance.now())), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }]);
  }
  const deadline = Date.now() + 30_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const cpu = process.cpuUsage(cpu0);
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  console.log(`rate=${RATE}/s n=${s.length}/${total} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${s[s.length - 1]!.toFixed(1)} ms; cpu user=${(cpu.user / 1e6).toFixed(1)}s sys=${(cpu.system / 1e6).toFixed(1)}s over ${((Date.now() - started) / 1000).toFixed(1)}s`);
  const qq = (xs: number[], p: number) => { const v = [...xs].sort((a, b) => a - b); return v[Math.min(v.length - 1, Math.floor(p * v.length))]?.toFixed(1); };
  for (let i = 0; i < HOPS; i++) console.log(`hop ${i}: arrive p50=${qq(perHop[i]!, 0.5)} p99=${qq(perHop[i]!, 0.99)}  send p50=${qq(sendLat[i]!, 0.5)} p99=${qq(sendLat[i]!, 0.99)}`);
  await Promise.all(handles.map((h) => h.stop()));
  await Promise.all(transports.map((t) => t.close()));
});
