/** One server-sent event: `event` is empty when the stream named none (the spec's default `message`). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser for `text/event-stream` (WHATWG HTML §9.2): bytes in, whole events out.
 * Handles CRLF, CR and LF line ends, multi-line `data`, comments (`: ping`) and multi-byte
 * characters split across chunks.
 */
export class SseDecoder {
  private readonly text = new TextDecoder('utf-8');
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private sawCr = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    return this.lines(this.text.decode(chunk, { stream: true }));
  }

  /** Ends the stream. An event without its closing blank line is dropped, as the spec says. */
  end(): SseEvent[] {
    const tail = this.lines(this.text.decode());
    this.buffer = '';
    this.reset();
    return tail;
  }

  private lines(input: string): SseEvent[] {
    const events: SseEvent[] = [];
    let text = input;
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = false;
    let start = 0;
    const all = this.buffer + text;
    const offset = this.buffer.length;
    this.buffer = '';
    for (let i = offset; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(all.slice(start, i), events);
      if (c === 13) {
        if (i + 1 < all.length) {
          if (all.charCodeAt(i + 1) === 10) i++;
        } else {
          this.sawCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = all.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push({ event: this.event, data: this.data.join('\n'), ...(this.id === undefined ? {} : { id: this.id }) });
      this.reset();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment, used as keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
  }

  private reset(): void {
    this.event = '';
    this.data = [];
  }
}
