import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedOpenAi {
  baseUrl: string;
  /** Chunks written to each call before it ended or the caller hung up. */
  calls: Array<{ chunksSent: number; closedEarly: boolean }>;
  close(): Promise<void>;
}

/**
 * A tiny OpenAI-compatible chat server that streams `answer(system, user)` word by word over SSE,
 * one word every `gapMs`: what a real model does, with the text a test needs (a leak late in it).
 */
export async function startScriptedOpenAi(answer: (system: string, user: string) => string, gapMs = 2): Promise<ScriptedOpenAi> {
  const calls: ScriptedOpenAi['calls'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; messages: Array<{ role: string; content: string }> };
      const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
      const user = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const words = answer(system, user).match(/\s*\S+/g) ?? [];
      const call = { chunksSent: 0, closedEarly: false };
      calls.push(call);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('close', () => (call.closedEarly = call.chunksSent < words.length));
      const send = (data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
      let i = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (i < words.length) {
          send({ id: 'chatcmpl-scripted', model: body.model, choices: [{ index: 0, delta: { content: words[i++] }, finish_reason: null }] });
          call.chunksSent++;
          setTimeout(tick, gapMs);
          return;
        }
        send({ id: 'chatcmpl-scripted', model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
        send({ id: 'chatcmpl-scripted', model: body.model, choices: [], usage: { prompt_tokens: 40, completion_tokens: words.length } });
        send('[DONE]');
        res.end();
      };
      tick();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of the provider's HTTP client would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
