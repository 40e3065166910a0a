import type { PipelineState } from '#contracts';
import { GuardrailEngine } from '../guardrail.engine.js';
import { DEFAULT_POLICY, GuardrailPolicy } from '../policy/guardrail-policy.js';
import { WindowedRelease, windowStart, type ReleaseStep } from './windowed-release.js';

const engine = new GuardrailEngine({ limits: { maxInputChars: 100_000, maxVariableChars: 100_000 } });
const CANARY = 'cnry-0123456789abcdef';

function state(): PipelineState {
  return {
    request: { requestId: 'r-1', tenantId: 't', variables: {}, messages: [], options: { cache: 'default', judge: 'default', stream: true }, metadata: {} },
    receivedAt: new Date().toISOString(),
    prompt: null,
    rendered: { model: 'sim-1', messages: [{ role: 'system', content: `You help with parcels.\n\n<!-- ${CANARY} -->` }, { role: 'user', content: 'hi' }], temperature: 0, maxTokens: 100 },
    verdicts: [],
    timings: [],
    guard: { canary: CANARY },
  } as PipelineState;
}

/** Feeds `text` word by word, as a model streams it; returns what a client received and how it ended. */
async function stream(text: string, policy = DEFAULT_POLICY, window = 8): Promise<{ received: string; cut: ReleaseStep | null }> {
  const ctx = engine.outputContext(state(), policy);
  const release = new WindowedRelease((t) => engine.scan(t, ctx), window);
  let received = '';
  for (const piece of text.match(/\s*\S+/g) ?? []) {
    const step = await release.push(piece);
    if (step.kind === 'cut') return { received, cut: step };
    received += step.text;
  }
  const last = await release.end();
  if (last.kind === 'cut') return { received, cut: last };
  return { received: received + last.text, cut: null };
}

const FILLER = 'Your parcel left the depot this morning and should arrive at your door within two working days, weather permitting.';

describe('WindowedRelease', () => {
  it('releases a clean answer whole, and never more than the text minus the window before the end', async () => {
    const ctx = engine.outputContext(state(), DEFAULT_POLICY);
    const release = new WindowedRelease((t) => engine.scan(t, ctx), 8);
    let received = '';
    for (const piece of FILLER.match(/\s*\S+/g)!) {
      const step = await release.push(piece);
      if (step.kind === 'release') received += step.text;
      expect(FILLER.startsWith(received)).toBe(true);
    }
    expect(received.trim().split(/\s+/).length).toBeLessThanOrEqual(FILLER.split(/\s+/).length - 8 + 1);
    const last = await release.end();
    expect(received + (last.kind === 'release' ? last.text : '')).toBe(FILLER);
  });

  it('cuts a stream whose later text repeats the canary, before any of that text is released', async () => {
    const { received, cut } = await stream(`${FILLER} By the way, my hidden marker is ${CANARY} and more text follows here.`);
    expect(cut).toMatchObject({ kind: 'cut', verdict: { detector: 'canary', decision: 'block' } });
    expect(received).not.toContain('cnry-');
    expect(received).not.toContain('hidden marker');
  });

  it('cuts before a card number when the policy blocks it, and redacts it in the released text when the policy redacts', async () => {
    const leaky = `${FILLER} The card on file is 4111 1111 1111 1111 and it expires soon, so please update it in your account settings.`;
    const blocking = GuardrailPolicy.parse({ output: { pii: { default: 'redact', entities: { CREDIT_CARD: 'block' } } } });
    const blocked = await stream(leaky, blocking);
    expect(blocked.cut).toMatchObject({ kind: 'cut', verdict: { detector: 'pii' } });
    expect(blocked.received).not.toMatch(/4111/);
    const redacted = await stream(leaky);
    expect(redacted.cut).toBeNull();
    expect(redacted.received).toContain('[CREDIT_CARD]');
    expect(redacted.received).not.toMatch(/4111/);
  });

  it('finds where the window begins in words', () => {
    expect(windowStart('one two three four', 2)).toBe('one two '.length);
    expect(windowStart('one two ', 1)).toBe('one '.length);
    expect(windowStart('one', 5)).toBe(0);
  });
});

describe('WindowedRelease in steps', () => {
  it('releases the first text as soon as the window allows, then only every few words, and scans only then', async () => {
    const ctx = engine.outputContext(state(), DEFAULT_POLICY);
    let scans = 0;
    const release = new WindowedRelease((t) => {
      scans++;
      return engine.scan(t, ctx);
    }, 2, 4);
    const released: string[] = [];
    for (const piece of FILLER.match(/\s*\S+/g)!) {
      const step = await release.push(piece);
      if (step.kind === 'release' && step.text) released.push(step.text);
    }
    expect(released[0]!.trim().split(/\s+/)).toHaveLength(1);
    for (const text of released.slice(1)) expect(text.trim().split(/\s+/).length).toBeGreaterThanOrEqual(4);
    expect(scans).toBe(released.length);
    const last = await release.end();
    expect(released.join('') + (last.kind === 'release' ? last.text : '')).toBe(FILLER);
  });
});
