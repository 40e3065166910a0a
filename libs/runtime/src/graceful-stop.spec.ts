import { Writable } from 'node:stream';
import { createLogger } from '#observability';
import { drain, exitGracefullyOnSignals, type DrainReport, type DrainTarget } from './graceful-stop.js';

/** A stage whose counts the test sets; records what the drain asked of it. */
class FakeStage implements DrainTarget {
  http = 0;
  records = 0;
  intakeClosed = false;
  consumingStopped = false;
  private finishStop: (() => void) | null = null;

  httpInFlight(): number {
    return this.http;
  }
  recordsInFlight(): number {
    return this.records;
  }
  closeIntake(): void {
    this.intakeClosed = true;
  }
  stopConsuming(): Promise<void> {
    this.consumingStopped = true;
    return new Promise((resolve) => (this.finishStop = resolve));
  }
  /** The consumer's in-flight records are done and committed. */
  consumerStopped(): void {
    this.records = 0;
    this.finishStop?.();
  }
}

/**
 * A virtual clock for the drain: each poll advances it by the poll interval and then runs
 * whatever the test scheduled for that moment, so no test waits in real time.
 */
function virtualTime(events: Record<number, () => void> = {}) {
  let now = 0;
  const polls: number[] = [];
  return {
    now: () => now,
    polls,
    sleep: async (ms: number) => {
      now += ms;
      polls.push(now);
      for (const [at, event] of Object.entries(events)) {
        if (Number(at) <= now) {
          event();
          delete events[Number(at)];
        }
      }
      await Promise.resolve();
    },
  };
}

describe('drain', () => {
  it('hardening 3: closes HTTP intake at once and waits until the requests and records in flight have finished', async () => {
    const ingress = new FakeStage();
    const inference = new FakeStage();
    ingress.http = 50;
    inference.records = 50;
    const time = virtualTime({
      100: () => (inference.records = 0), // the model answered every request
      140: () => (ingress.http = 0), // the waiters got their outcomes and the responses went out
    });

    const report = await drain([ingress, inference], { graceMs: 25_000, wholePipeline: true, pollMs: 20, ...time });

    expect(ingress.intakeClosed && inference.intakeClosed).toBe(true);
    expect(report).toEqual({ httpAtStart: 50, recordsAtStart: 50, inFlight: 0 });
    expect(time.now()).toBeGreaterThanOrEqual(140);
    expect(time.now()).toBeLessThan(25_000);
  });

  it('hardening 3: in one process with every stage, consumers keep running: the waiters need the whole pipeline', async () => {
    const stage = new FakeStage();
    stage.http = 1;
    const time = virtualTime({ 60: () => (stage.http = 0) });

    await drain([stage], { graceMs: 1_000, wholePipeline: true, ...time });

    expect(stage.consumingStopped).toBe(false);
  });

  it('hardening 3: does not take a record passing between two stages for the end of the work', async () => {
    const upstream = new FakeStage();
    const downstream = new FakeStage();
    upstream.records = 1;
    const time = virtualTime({
      20: () => (upstream.records = 0), // published to the next topic: for a moment in no stage's count
      40: () => (downstream.records = 1),
      200: () => (downstream.records = 0),
    });

    const report = await drain([upstream, downstream], { graceMs: 10_000, wholePipeline: true, pollMs: 20, idleReads: 3, ...time });

    expect(report.inFlight).toBe(0);
    expect(time.now()).toBeGreaterThanOrEqual(200);
  });

  it('hardening 3: one distributed service stops consuming at once and waits for its records to be committed', async () => {
    const service = new FakeStage();
    service.records = 3;
    service.http = 2;
    const time = virtualTime({
      40: () => (service.http = 0),
      300: () => service.consumerStopped(),
    });

    const report = await drain([service], { graceMs: 25_000, wholePipeline: false, ...time });

    expect(service.consumingStopped).toBe(true);
    expect(report).toEqual({ httpAtStart: 2, recordsAtStart: 3, inFlight: 0 });
    expect(time.now()).toBeGreaterThanOrEqual(300);
  });

  it('hardening 3: stops waiting when the grace ends and reports what was left', async () => {
    const stuck = new FakeStage();
    stuck.http = 4;
    const time = virtualTime();

    const report = await drain([stuck], { graceMs: 500, wholePipeline: true, ...time });

    expect(report.inFlight).toBe(4);
    expect(time.now()).toBe(500);
  });

  it('hardening 3: with no grace it only closes intake', async () => {
    const stage = new FakeStage();
    stage.http = 1;
    const time = virtualTime();

    const report = await drain([stage], { graceMs: 0, wholePipeline: true, ...time });

    expect(stage.intakeClosed).toBe(true);
    expect(report.inFlight).toBe(1);
    expect(time.polls).toEqual([]);
  });
});

/** A process stand-in: signals are delivered by the test, exit codes recorded. */
function fakeProcess() {
  const listeners = new Map<string, Array<() => void>>();
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const codes: number[] = [];
  return {
    on(signal: NodeJS.Signals, listener: () => void) {
      listeners.set(signal, [...(listeners.get(signal) ?? []), listener]);
    },
    exit(code: number) {
      codes.push(code);
      resolveExit(code);
    },
    send(signal: NodeJS.Signals) {
      for (const listener of listeners.get(signal) ?? []) listener();
    },
    exited,
    codes,
  };
}

function capturedLogger() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ service: 'embedded', destination: stream, level: 'info' });
  const lines = () => chunks.join('').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

describe('exitGracefullyOnSignals', () => {
  const drained: DrainReport = { httpAtStart: 50, recordsAtStart: 7, inFlight: 0 };

  it.each(['SIGTERM', 'SIGINT'] as const)('hardening 3: on %s stops gracefully, logs one stopped line and exits 0', async (signal) => {
    const proc = fakeProcess();
    const { logger, lines } = capturedLogger();
    let stops = 0;
    exitGracefullyOnSignals({ graceMs: 25_000, logger, process: proc, stop: async () => (stops++, drained) });

    proc.send(signal);

    expect(await proc.exited).toBe(0);
    expect(stops).toBe(1);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'stopped', signal, drained: { http: 50, records: 7 }, inFlight: 0, ms: expect.any(Number) }),
    ]);
  });

  it('hardening 3: says at warn level how much was cut off when the grace ran out', async () => {
    const proc = fakeProcess();
    const { logger, lines } = capturedLogger();
    exitGracefullyOnSignals({ graceMs: 10, logger, process: proc, stop: async () => ({ ...drained, inFlight: 3 }) });

    proc.send('SIGTERM');

    expect(await proc.exited).toBe(0);
    expect(lines()).toEqual([expect.objectContaining({ level: 'warn', msg: 'stopped', inFlight: 3 })]);
  });

  it('hardening 3: a second signal (one Ctrl-C under npm start arrives twice) does not cut the drain short', async () => {
    const proc = fakeProcess();
    const { logger, lines } = capturedLogger();
    let stops = 0;
    let finish: (report: DrainReport) => void = () => undefined;
    exitGracefullyOnSignals({ graceMs: 25_000, logger, process: proc, stop: () => (stops++, new Promise((resolve) => (finish = resolve))) });

    proc.send('SIGINT');
    proc.send('SIGINT');
    proc.send('SIGTERM');
    expect(proc.codes).toEqual([]);
    finish(drained);

    expect(await proc.exited).toBe(0);
    expect(stops).toBe(1);
    expect(proc.codes).toEqual([0]);
    expect(lines().filter((line) => line.msg === 'stopped')).toHaveLength(1);
  });

  it('hardening 3: a failing stop exits 1 and says why', async () => {
    const proc = fakeProcess();
    const { logger, lines } = capturedLogger();
    exitGracefullyOnSignals({ graceMs: 25_000, logger, process: proc, stop: async () => Promise.reject(new Error('database gone')) });

    proc.send('SIGTERM');

    expect(await proc.exited).toBe(1);
    expect(lines()).toEqual([expect.objectContaining({ level: 'error', msg: 'stop failed' })]);
  });
});
