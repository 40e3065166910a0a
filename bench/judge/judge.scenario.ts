import { join } from 'node:path';
import { pino } from 'pino';
import { TOPICS, createEnvelope, type LlmResponse } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { PRICE_TABLE, SimulatorProvider } from '#models';
import { JudgeResponseUseCase } from '../../services/judge/src/score/judge-response.usecase.js';
import { ProviderJudgeModel } from '../../services/judge/src/score/provider.judge-model.js';
import type { BenchOptions, BenchPlan, ScenarioResult } from '../scenario.js';

const CONCURRENCY = 64;
const QUESTIONS = ['Where is my parcel?', 'Can I return shoes after 30 days?', 'Do you ship to Norway?', 'How do I change my delivery address?'];

function response(i: number): LlmResponse {
  return {
    requestId: `bench-judge-${i}`,
    tenantId: 'demo',
    status: 'completed',
    content: `Answer ${i}: your parcel ships within two working days; the tracking link is in your confirmation email.`,
    source: 'inference',
    cache: 'miss',
    verdicts: [],
    usage: { inputTokens: 40, outputTokens: 20, cachedTokens: 0, costUsd: 0, estimated: true },
    timings: { stages: [], queueMs: 0, ttftMs: 0, totalMs: 1 },
    prompt: { name: 'support-answer', version: 1 },
    model: 'sim-1',
    error: null,
    cacheStore: null,
    judge: { mode: 'always', sampleRate: 1, rubric: 'helpfulness-v1', input: `${QUESTIONS[i % QUESTIONS.length]} (order ${i})` },
    metadata: {},
    completedAt: new Date().toISOString(),
  };
}

/**
 * The judge's own throughput, off the request path: completed responses handed to the judge use case
 * (rubric helpfulness-v1, the in-process simulator as judge model at 0 ms, so this is the judge's CPU:
 * prompt building, the resilient caller, verdict validation, scoring, publishing on the in-memory bus).
 */
export async function runJudge(root: string, plan: BenchPlan, options: BenchOptions): Promise<ScenarioResult[]> {
  const total = plan.quick ? 1_000 : 10_000;
  const broker = new MemoryBroker(3);
  const transport = new MemoryTransport(broker);
  const useCase = new JudgeResponseUseCase({
    publisher: new Publisher(transport, 'judge'),
    model: new ProviderJudgeModel({ providers: [new SimulatorProvider()], prices: PRICE_TABLE }),
    judgeModel: 'sim-judge',
    rubricsDir: join(root, 'rubrics'),
    verdictAttempts: 2,
    logger: pino({ level: 'silent' }),
  });
  const judge = (i: number) => {
    const r = response(i);
    return useCase.execute(createEnvelope(TOPICS.responses, r, r));
  };
  const runPool = async (from: number, count: number, latencies: number[]) => {
    let next = from;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < from + count) {
          const i = next++;
          const started = performance.now();
          await judge(i);
          latencies.push(performance.now() - started);
        }
      }),
    );
  };
  options.log(`judge: warming up, then ${total} judgements at ${CONCURRENCY} in flight`);
  await runPool(0, Math.min(500, total), []);
  const before = broker.records(TOPICS.qualityScores).length;
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runPool(1_000_000, total, latencies);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await transport.close();
  const scored = broker.records(TOPICS.qualityScores).length - before;
  const cpuMs = (used.user + used.system) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return [
    {
      mode: 'judge',
      kind: 'burst',
      label: `${total} judgements (helpfulness-v1, sim-judge)`,
      offeredRate: null,
      achievedRate: scored / (wallMs / 1000),
      sentRate: null,
      summary: {
        sent: total,
        received: scored,
        lost: total - scored,
        duplicates: 0,
        notCompleted: {},
        bySource: {},
        sendSpanMs: wallMs,
        completionSpanMs: wallMs,
        latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: latencies.at(-1) ?? 0, mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length) },
        stagesMs: [],
      },
      cacheHitRatio: null,
      cpuPercent: { 'bench+judge': Math.round((cpuMs / wallMs) * 100) },
      cpuMsPerRequest: Math.round((cpuMs / Math.max(1, scored)) * 1000) / 1000,
      target: null,
      notes: ['achieved/s = judged responses per second; latency = one judgement (use case in, score published); CPU-ms per request = per judgement'],
    },
  ];
}
