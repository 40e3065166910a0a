// /health/ready of a distributed service on the real broker: the Kubernetes readiness probe of the Helm
// chart. It reports the service's Kafka consumers (kafka.consumers) beside Postgres, and fails while
// the service drains; a consumer kafkajs gave up on is covered in kafka-group-consumer.readiness.spec.ts.
import { jest } from '@jest/globals';
import { loadConfig } from '#config';
import { startDistributedStage } from '#runtime';
import { judgeConfig } from '../services/judge/src/judge.config.js';
import { judgeDepsFromConfig } from '../services/judge/src/judge.deps.js';
import { JudgeModule } from '../services/judge/src/judge.module.js';
import { freePort } from './support/distributed-stack.js';
import { assertBrokerReachable } from './support/kafka-observer.js';

jest.setTimeout(90_000);

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

describe('a distributed service reports its Kafka consumers on /health/ready', () => {
  it('is ready with kafka.consumers ok once it consumes, and stops being ready when it drains', async () => {
    await assertBrokerReachable(BROKERS);
    const port = await freePort();
    const config = loadConfig(judgeConfig.schema, { KAFKA_BROKERS: BROKERS, KAFKA_CLIENT_ID: `readiness-${process.pid}`, BALLAST_PORT: String(port) });
    const stage = await startDistributedStage('judge', config, ({ publisher }) => JudgeModule.register(judgeDepsFromConfig(config, { publisher })), { host: '127.0.0.1' });
    let stopped = false;
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const body = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
      expect(ready.status).toBe(200);
      expect(body.checks['kafka.consumers']).toEqual({ ok: true });

      const stopping = stage.stop();
      stopped = true;
      const draining = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 'closed');
      expect([503, 'closed']).toContain(draining);
      await stopping;
    } finally {
      if (!stopped) await stage.stop();
    }
  });
});
