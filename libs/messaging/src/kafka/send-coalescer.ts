import type { OutgoingRecord } from '../transport.js';

interface PendingSend {
  records: readonly OutgoingRecord[];
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

export interface SendCoalescerOptions {
  /** Produce requests in flight at once; further sends wait and go out together in the next one. */
  maxInFlight: number;
  /** Soft cap on the payload of one merged request (a single larger send still goes alone). */
  maxBytes: number;
}

function sizeOf(records: readonly OutgoingRecord[]): number {
  let bytes = 0;
  for (const r of records) {
    bytes += r.value.length + r.key.length + 64;
    for (const name in r.headers) bytes += name.length + (r.headers[name]?.length ?? 0);
  }
  return bytes;
}

/**
 * Merges concurrent `send()` calls into fewer produce requests without adding any delay: a send
 * goes out at once while fewer than `maxInFlight` requests are pending; otherwise it waits for one
 * to finish and leaves together with every other send that queued meanwhile. Under load this turns
 * one request per handler into one request per round trip, which is most of a stage's Kafka cost.
 *
 * Each caller still gets its own outcome: when a merged request fails, every send in it is retried
 * on its own, so one caller's bad record (too large, unknown topic) fails only that caller. Records
 * of a failed merged request may have been partly written before the retry: at-least-once, as every
 * other retry of a produce request.
 */
export class SendCoalescer {
  private queue: PendingSend[] = [];
  private inFlight = 0;

  constructor(
    private readonly produce: (records: readonly OutgoingRecord[]) => Promise<void>,
    private readonly options: SendCoalescerOptions,
  ) {}

  send(records: readonly OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, bytes: sizeOf(records), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      let bytes = this.queue[0]!.bytes;
      let n = 1;
      while (n < this.queue.length && bytes + this.queue[n]!.bytes <= this.options.maxBytes) bytes += this.queue[n++]!.bytes;
      const group = this.queue.splice(0, n);
      this.inFlight++;
      void this.flush(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(group: PendingSend[]): Promise<void> {
    try {
      await this.produce(group.length === 1 ? group[0]!.records : group.flatMap((g) => g.records));
      for (const g of group) g.resolve();
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      await Promise.all(group.map((g) => this.produce(g.records).then(g.resolve, g.reject)));
    }
  }
}
