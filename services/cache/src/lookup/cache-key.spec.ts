import { PipelineState, insertCanary, type ChatMessage } from '#contracts';
import { exactCacheKey } from './cache-key.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a concise support agent.' },
  { role: 'user', content: 'Where is my parcel?' },
];

/** A request as the guardrail forwards it to the cache: with `canary` hidden in the system prompt. */
function checked(canary: string | undefined, rendered: ChatMessage[] = messages): PipelineState {
  return PipelineState.parse({
    request: { requestId: `r-${canary ?? 'none'}`, tenantId: 'demo', model: 'sim-1', messages: rendered },
    receivedAt: '2026-01-01T00:00:00.000Z',
    prompt: null,
    rendered: { model: 'sim-1', messages: canary ? insertCanary(rendered, canary)! : rendered, temperature: 0, maxTokens: 256 },
    ...(canary ? { guard: { canary } } : {}),
  });
}

describe('exactCacheKey', () => {
  it('gives the same request the same key whatever canary the guardrail hid in it', () => {
    const a = checked('cnry-0123456789abcdef');
    const b = checked('cnry-fedcba9876543210');
    expect(a.rendered.messages).not.toEqual(b.rendered.messages);
    expect(exactCacheKey(a)).toBe(exactCacheKey(b));
    expect(exactCacheKey(a)).toBe(exactCacheKey(checked(undefined)));
  });

  it('still tells different messages apart', () => {
    const other = [messages[0]!, { role: 'user' as const, content: 'Where is my refund?' }];
    expect(exactCacheKey(checked('cnry-0123456789abcdef', other))).not.toBe(exactCacheKey(checked('cnry-0123456789abcdef')));
    const otherSystem = [{ role: 'system' as const, content: 'You are a verbose support agent.' }, messages[1]!];
    expect(exactCacheKey(checked('cnry-0123456789abcdef', otherSystem))).not.toBe(exactCacheKey(checked('cnry-fedcba9876543210')));
  });
});
