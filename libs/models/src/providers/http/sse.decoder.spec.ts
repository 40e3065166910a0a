import fc from 'fast-check';
import { SseDecoder, type SseEvent } from './sse.decoder.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function decodeInPieces(text: string, cuts: number[]): SseEvent[] {
  const all = bytes(text);
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    events.push(...decoder.push(all.subarray(at, cut)));
    at = cut;
  }
  events.push(...decoder.push(all.subarray(at)), ...decoder.end());
  return events;
}

describe('SseDecoder', () => {
  it('reads named events, multi-line data, comments and every line ending', () => {
    const text = ': keep-alive\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\ndata: line one\ndata: line two\n\ndata:no-space\r\rid: 7\ndata: x\n\n';
    expect(decodeInPieces(text, [])).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: '', data: 'line one\nline two' },
      { event: '', data: 'no-space' },
      { event: '', data: 'x', id: '7' },
    ]);
  });

  it('drops an event whose closing blank line never came (a cut stream)', () => {
    expect(decodeInPieces('data: whole\n\ndata: half', [])).toEqual([{ event: '', data: 'whole' }]);
  });

  it('gives the same events however the bytes are split, multi-byte characters included', () => {
    const text = 'event: delta\ndata: {"text":"Grüße – 你好 🚚"}\r\n\r\ndata: [DONE]\n\n';
    const whole = decodeInPieces(text, []);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes(text).length }), { maxLength: 12 }), (cuts) => {
        expect(decodeInPieces(text, cuts)).toEqual(whole);
      }),
    );
  });
});
