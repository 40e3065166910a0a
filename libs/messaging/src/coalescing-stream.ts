/**
 * One stream's pieces, sent in order with one send in flight at a time: text that arrives while a
 * send is in flight goes out together in the next one, so a fast producer makes fewer, larger
 * records instead of a queue, and the bus never sees two records of a stream race each other.
 * `seq` numbers each send; the send with `end` is the last.
 *
 * @example const out = new CoalescingStream((seq, delta, end) => publish({ seq, delta, end }), 1);
 *          out.text('Hel'); out.text('lo'); await out.end({ finish: 'stop' });
 */
export class CoalescingStream<E> {
  private seq: number;
  private pending = '';
  private ending: { end: E } | undefined;
  private inflight = false;
  private closed = false;
  private finished = false;
  private failure: unknown;
  private resolveDone!: () => void;
  private rejectDone!: (error: unknown) => void;
  /** Settles once the last send is over: rejects with the first failed send's error. */
  readonly done: Promise<void>;

  private lastSent = Number.NEGATIVE_INFINITY;
  private lingering: NodeJS.Timeout | undefined;
  private flushing = false;

  /**
   * `lingerMs`: after a send, text waits up to this long for more before the next one (the end and
   * `flush()` never wait), so a steady trickle of tokens makes one record per `lingerMs`, not one per token.
   */
  constructor(
    private readonly send: (seq: number, delta: string, end: E | undefined) => Promise<void>,
    firstSeq = 0,
    private readonly lingerMs = 0,
  ) {
    this.seq = firstSeq;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  /** True once `end` was called: later text is dropped. */
  get ended(): boolean {
    return this.closed;
  }

  text(delta: string): void {
    if (this.closed || delta === '') return;
    this.pending += delta;
    this.pump();
  }

  /** Sends what is pending as soon as the send in flight is over, without waiting for the linger. */
  flush(): void {
    this.flushing = true;
    this.pump();
  }

  end(end: E): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.ending = { end };
      this.pump();
    }
    return this.done;
  }

  private pump(): void {
    if (this.inflight || this.finished || (this.pending === '' && !this.ending)) return;
    const wait = this.ending || this.flushing ? 0 : this.lastSent + this.lingerMs - performance.now();
    if (wait > 0) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.pump();
      }, wait);
      return;
    }
    clearTimeout(this.lingering);
    this.lingering = undefined;
    this.flushing = false;
    this.lastSent = performance.now();
    const delta = this.pending;
    const ending = this.ending;
    this.pending = '';
    this.ending = undefined;
    this.inflight = true;
    const last = ending !== undefined;
    this.send(this.seq++, delta, ending?.end).then(
      () => this.settled(last),
      (error: unknown) => {
        this.failure ??= error;
        this.settled(last);
      },
    );
  }

  private settled(last: boolean): void {
    this.inflight = false;
    if (!last) return this.pump();
    this.finished = true;
    if (this.failure === undefined) this.resolveDone();
    else this.rejectDone(this.failure);
  }
}
