import { Injectable } from '@nestjs/common';
import type { StreamChunk } from '#contracts';

/** The streams this replica holds open, by request: released chunks go to the HTTP response that waits for them. */
@Injectable()
export class ChunkWaiters {
  private readonly open = new Map<string, (chunk: StreamChunk) => void>();

  /** Registers the stream of a request; call the returned function once the stream is over. */
  listen(tenantId: string, requestId: string, deliver: (chunk: StreamChunk) => void): () => void {
    const key = `${tenantId}/${requestId}`;
    this.open.set(key, deliver);
    return () => {
      if (this.open.get(key) === deliver) this.open.delete(key);
    };
  }

  deliver(tenantId: string, requestId: string, chunk: StreamChunk): void {
    this.open.get(`${tenantId}/${requestId}`)?.(chunk);
  }

  get size(): number {
    return this.open.size;
  }
}
