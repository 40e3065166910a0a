/**
 * Tracks which offsets of one partition have finished, so that the committed position never passes
 * a record that is still in flight or failed (records finish out of order when keys run in parallel).
 */
export class OffsetTracker {
  private readonly inFlight = new Set<bigint>();
  private highestDone: bigint | null = null;

  begin(offset: string): void {
    this.inFlight.add(BigInt(offset));
  }

  /** Marks `offset` done. Returns the offset to commit (next to read), or null if nothing new is safe. */
  finish(offset: string): string | null {
    const o = BigInt(offset);
    this.inFlight.delete(o);
    if (this.highestDone === null || o > this.highestDone) this.highestDone = o;
    return this.committable();
  }

  /** The next offset to read that is safe to commit, or null while nothing has finished. */
  committable(): string | null {
    if (this.highestDone === null) return null;
    let lowestPending: bigint | null = null;
    for (const o of this.inFlight) if (lowestPending === null || o < lowestPending) lowestPending = o;
    const next = lowestPending !== null && lowestPending <= this.highestDone ? lowestPending : this.highestDone + 1n;
    return next.toString();
  }

  get pending(): number {
    return this.inFlight.size;
  }
}
