import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import { TOPICS, createEnvelope, type Envelope, type PipelineState } from '#contracts';
import { Publisher, type ConsumerHandle, type OutgoingRecord, type Transport } from '#messaging';
import { startTelemetry } from '#observability';
import { InMemoryProcessedMessageStore } from '#persistence';
import { CompleteUseCase } from '../../services/inference/src/complete/complete.usecase.js';
import { DirectClient } from './direct.client.js';
import { startSimulatorProcess } from './simulator.process.js';
import { OpenAiCompatibleProvider } from '#models';

const USAGE = `npm run bench:inference -- [--quick] [--seconds N] [--concurrency 100,500,1000]

Measures what the inference stage adds to a provider call: the same streamed chat completions from
the HTTP simulator (separate process, 127.0.0.1), once with a bare streaming client and once through
CompleteUseCase (routing, circuit breaker, bulkhead, retry layer, SSE assembly, accounting, usage
event, ledger, chat span and GenAI metrics), at each concurrency. Prints p50/p99 per call and
throughput; the JSON goes to bench/inference/results/.`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    concurrency: { type: 'string', default: '100,500,1000' },
    ttft: { type: 'string', default: '100' },
    tps: { type: 'string', default: '50' },
    'chunk-tokens': { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const seconds = Number(values.seconds ?? (values.quick ? 2 : 10));
const warmupSeconds = values.quick ? 1 : 3;
const levels = values.concurrency.split(',').map(Number);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const log = (line: string) => process.stderr.write(`bench:inference: ${line}\n`);

process.env.LOG_LEVEL ??= 'warn';
await startTelemetry({ serviceName: 'bench-inference', exporter: 'none' });

/** Keeps nothing: the bus is not what is measured. Counts usage events and remembers each call's provider time. */
class DiscardTransport implements Transport {
  readonly kind = 'memory' as const;
  readonly providerMs = new Map<string, number>();
  async ensureTopics(): Promise<void> {}
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    for (const r of records) {
      if (r.topic !== TOPICS.usage) continue;
      const usage = (JSON.parse(r.value.toString()) as Envelope<{ requestId: string; latencyMs: number; queueMs?: number }>).payload;
      this.providerMs.set(usage.requestId, usage.latencyMs + (usage.queueMs ?? 0));
    }
  }
  async consume(): Promise<ConsumerHandle> {
    return { stop: async () => {} };
  }
  async close(): Promise<void> {}
}

function stateFor(requestId: string, question: string): PipelineState {
  return {
    request: { requestId, tenantId: 'bench', prompt: { name: 'support-answer' }, variables: {}, messages: [], options: { cache: 'default', judge: 'default' }, metadata: {} },
    receivedAt: new Date().toISOString(),
    prompt: { name: 'support-answer', version: 1, label: 'production', contentHash: 'bench', model: 'sim-1', params: {}, policies: { guardrail: {}, cache: {}, judge: {} } },
    rendered: {
      model: 'sim-1',
      messages: [
        { role: 'system', content: 'You are a concise, friendly support agent for an online shop.' },
        { role: 'user', content: question },
      ],
      temperature: 0,
      maxTokens: 256,
    },
    verdicts: [],
    cache: { outcome: 'miss' },
    timings: [],
  };
}

interface Figures {
  calls: number;
  failures: number;
  p50: number;
  p99: number;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 4 });
const ms = (h: hdr.Histogram, p: number) => h.getValueAtPercentile(p) / 1000;

interface Lane {
  call(i: number): Promise<void>;
  latency: hdr.Histogram;
  calls: number;
  failures: number;
  /** Per call, after it is recorded. */
  after?(i: number, us: number): void;
}

/**
 * `workers` loops calling back to back, each taking the next lane in turn, so interleaved lanes see
 * the same load, the same simulator and the same moment. Only calls started after the warm-up count.
 */
async function closedLoop(workers: number, lanes: Lane[]): Promise<{ elapsedMs: number; cpuPercent: number }> {
  let next = 0;
  const warmEnd = performance.now() + warmupSeconds * 1000;
  const end = warmEnd + seconds * 1000;
  let cpuAtWarmEnd: NodeJS.CpuUsage | undefined;
  let lastDone = warmEnd;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const lane = lanes[i % lanes.length]!;
        const started = performance.now();
        if (started >= warmEnd) cpuAtWarmEnd ??= process.cpuUsage();
        try {
          await lane.call(i);
        } catch {
          if (started >= warmEnd) lane.failures++;
          continue;
        }
        if (started < warmEnd) continue;
        const done = performance.now();
        lastDone = Math.max(lastDone, done);
        const us = Math.max(1, Math.round((done - started) * 1000));
        lane.latency.recordValue(us);
        lane.calls++;
        lane.after?.(i, us);
      }
    }),
  );
  const elapsedMs = lastDone - warmEnd;
  const cpu = process.cpuUsage(cpuAtWarmEnd);
  return { elapsedMs, cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100 };
}

const simArgs = ['--ttft', values.ttft, '--tps', values.tps, '--chunk-tokens', values['chunk-tokens']];
log(`starting the simulator: ${simArgs.join(' ')}`);
const sim = await startSimulatorProcess(root, simArgs);
const question = (i: number) => `Can I still change the delivery address of parcel ${i} once it has left the warehouse?`;
const envelopeFor = (id: string, i: number) => createEnvelope(TOPICS.inference, stateFor(id, question(i)), { requestId: id, tenantId: 'bench', deadline: null });

function stage(transport: DiscardTransport): CompleteUseCase {
  return new CompleteUseCase({
    publisher: new Publisher(transport, 'inference'),
    providers: [new OpenAiCompatibleProvider({ name: 'simulator-http', baseUrl: `${sim.url}/v1`, models: ['sim-*'], maxConcurrent: 4_096 })],
    ledger: new InMemoryProcessedMessageStore(),
    defaultTimeoutMs: 60_000,
    bulkhead: { maxConcurrent: 4_096, maxQueued: 4_096 },
    idleTimeoutMs: 30_000,
  });
}

interface Row {
  concurrency: number;
  direct: Figures;
  stage: Figures;
  selfP50: number;
  selfP99: number;
  throughput: number;
  stageOnly: Figures;
  cpuPercent: number;
}
const results: Row[] = [];
try {
  for (const concurrency of levels) {
    // Run 1: direct and staged calls interleaved on the same workers — the latency comparison.
    const direct = new DirectClient(new URL(`${sim.url}/v1/chat/completions`));
    const transport = new DiscardTransport();
    const useCase = stage(transport);
    const self = histogram();
    const directLane: Lane = {
      latency: histogram(),
      calls: 0,
      failures: 0,
      call: async (i) => {
        const state = stateFor(`d-${concurrency}-${i}`, question(i));
        await direct.complete(JSON.stringify({ model: 'sim-1', messages: state.rendered.messages, temperature: 0, max_tokens: 256, stream: true, stream_options: { include_usage: true } }));
      },
    };
    const stageLane: Lane = {
      latency: histogram(),
      calls: 0,
      failures: 0,
      call: (i) => useCase.execute(envelopeFor(`s-${concurrency}-${i}`, i)),
      after: (i, us) => {
        const id = `s-${concurrency}-${i}`;
        const providerMs = transport.providerMs.get(id);
        transport.providerMs.delete(id);
        if (providerMs !== undefined) self.recordValue(Math.max(1, us - Math.round(providerMs * 1000)));
      },
    };
    log(`${concurrency} concurrent streams: direct and through the stage, interleaved`);
    await closedLoop(concurrency, [directLane, stageLane]);
    direct.close();

    // Run 2: every stream through the stage — throughput and the process's CPU.
    const onlyTransport = new DiscardTransport();
    const onlyUseCase = stage(onlyTransport);
    const onlyLane: Lane = { latency: histogram(), calls: 0, failures: 0, call: (i) => onlyUseCase.execute(envelopeFor(`o-${concurrency}-${i}`, i)), after: (i) => onlyTransport.providerMs.delete(`o-${concurrency}-${i}`) };
    log(`${concurrency} concurrent streams: all through the stage`);
    const only = await closedLoop(concurrency, [onlyLane]);

    const fig = (lane: Lane): Figures => ({ calls: lane.calls, failures: lane.failures, p50: ms(lane.latency, 50), p99: ms(lane.latency, 99) });
    results.push({
      concurrency,
      direct: fig(directLane),
      stage: fig(stageLane),
      selfP50: ms(self, 50),
      selfP99: ms(self, 99),
      throughput: (onlyLane.calls / only.elapsedMs) * 1000,
      stageOnly: fig(onlyLane),
      cpuPercent: only.cpuPercent,
    });
  }
} finally {
  await sim.stop();
}

const f = (n: number) => n.toFixed(2);
const lines = [
  '',
  `Inference stage overhead — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}; simulator (own process): ttft ${values.ttft} ms, ${values.tps} tokens/s, ${values['chunk-tokens']} tokens/chunk; ${seconds} s per run after ${warmupSeconds} s warm-up${values.quick ? ' (quick)' : ''}`,
  '',
  '| concurrent streams | direct p50 / p99 ms | via stage p50 / p99 ms | added p50 / p99 ms | stage self-time p50 / p99 ms | stage-only calls/s | stage-only p50 / p99 ms | CPU (1 core = 100%) | failed |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.concurrency} | ${f(r.direct.p50)} / ${f(r.direct.p99)} | ${f(r.stage.p50)} / ${f(r.stage.p99)} | ${f(r.stage.p50 - r.direct.p50)} / ${f(r.stage.p99 - r.direct.p99)} | ${f(r.selfP50)} / ${f(r.selfP99)} | ${r.throughput.toFixed(0)} | ${f(r.stageOnly.p50)} / ${f(r.stageOnly.p99)} | ${r.cpuPercent.toFixed(0)}% | ${r.direct.failures + r.stage.failures + r.stageOnly.failures} |`,
  ),
  '',
  'direct and via-stage calls run interleaved on the same workers (half each); added = via stage − direct at the same percentile.',
  'self-time = each staged call minus the provider time the stage itself measured (bulkhead wait + HTTP call), per call.',
  'stage-only: every worker through the stage; calls/s is bounded by the simulated stream length (closed loop).',
];
process.stdout.write(`${lines.join('\n')}\n`);
const dir = join(root, 'bench', 'inference', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ seconds, warmupSeconds, simulator: simArgs, node: process.versions.node, results }, null, 2)}\n`);
log(`results written to ${file}`);
process.exit(0);
