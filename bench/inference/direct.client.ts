import { Agent, request } from 'node:http';
import { SseDecoder } from '#models';

/**
 * The baseline: what any client must do to stream a chat completion — one keep-alive POST, SSE
 * decoding, JSON per chunk, the text put together — and nothing else. The stage's added latency is
 * measured against this.
 */
export class DirectClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4_096 });

  constructor(private readonly url: URL) {}

  complete(body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const decoder = new SseDecoder();
      let text = '';
      let done = false;
      const req = request(this.url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          for (const event of decoder.push(chunk)) {
            if (event.data === '[DONE]') {
              done = true;
              continue;
            }
            const parsed = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] };
            text += parsed.choices?.[0]?.delta?.content ?? '';
          }
        });
        res.on('end', () => (done ? resolve(text) : reject(new Error('stream ended early'))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
