import type { ChatMessage, PipelineState } from '#contracts';
import type { TextSource } from '../detectors/detector.js';
import type { GuardrailPolicy } from '../policy/guardrail-policy.js';

/**
 * A stretch of a rendered message the guardrail does not trust: a whole message the client sent,
 * or a variable's value inside the prompt's own (trusted) template text.
 */
export interface Segment {
  message: number;
  start: number;
  end: number;
  source: TextSource;
  /** false: only the indirect-injection check (the text is also inside a segment scanned in full). */
  full: boolean;
}

const MIN_VARIABLE_CHARS = 3;

/** Variable values as they were substituted into the template. */
export function variableTexts(variables: Record<string, unknown>): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const [name, value] of Object.entries(variables)) {
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    if (text !== null && text.length >= MIN_VARIABLE_CHARS) out.push({ name, text });
  }
  return out;
}

/** How many leading rendered messages come from the prompt template (the rest are the client's). */
export function templateMessageCount(state: PipelineState): number {
  if (!state.prompt) return 0;
  return Math.max(0, state.rendered.messages.length - state.request.messages.length);
}

function occurrences(haystack: string, needle: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = haystack.indexOf(needle); i >= 0 && out.length < 100; i = haystack.indexOf(needle, i + needle.length)) out.push([i, i + needle.length]);
  return out;
}

function mergeRanges(ranges: Array<[number, number, boolean]>): Array<[number, number, boolean]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number, boolean]> = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) {
      last[1] = Math.max(last[1], r[1]);
      last[2] = last[2] || r[2];
    } else {
      out.push([...r]);
    }
  }
  return out;
}

/**
 * The untrusted parts of the rendered request. Trust goes by origin, never by role: only messages
 * rendered from a registered prompt's template are the prompt author's and trusted, except where
 * variables were substituted into them; every message the client sent (system and developer ones
 * too, and all of an ad-hoc request) is untrusted whole. Variables the policy names as documents,
 * and tool results, get the indirect-injection check wherever they appear.
 */
export function inputSegments(state: PipelineState, policy: GuardrailPolicy): Segment[] {
  const messages = state.rendered.messages;
  const fromTemplate = templateMessageCount(state);
  const variables = variableTexts(state.request.variables);
  const documents = new Set(policy.input.documents);
  const segments: Segment[] = [];
  messages.forEach((m: ChatMessage, index) => {
    const trusted = index < fromTemplate;
    const ranges: Array<[number, number, boolean]> = [];
    for (const v of variables) for (const [s, e] of occurrences(m.content, v.text)) ranges.push([s, e, documents.has(v.name)]);
    if (trusted) {
      for (const [start, end, document] of mergeRanges(ranges)) segments.push({ message: index, start, end, source: document ? 'document' : 'message', full: true });
      return;
    }
    segments.push({ message: index, start: 0, end: m.content.length, source: 'message', full: true });
    // A tool result is retrieved content, like a document: it also gets the indirect-injection check.
    if (m.role === 'tool') segments.push({ message: index, start: 0, end: m.content.length, source: 'document', full: false });
    for (const [start, end, document] of mergeRanges(ranges)) if (document) segments.push({ message: index, start, end, source: 'document', full: false });
  });
  return segments;
}

/** Where each message starts when the rendered messages are joined with a newline: input spans use these offsets. */
export function messageOffsets(messages: readonly ChatMessage[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const m of messages) {
    out.push(at);
    at += m.content.length + 1;
  }
  return out;
}

/** The system prompt an answer must not leak: system messages without variable values (and without the canary marker, removed by the caller). */
export function trustedSystemText(state: PipelineState, strip: (text: string) => string): string {
  const variables = variableTexts(state.request.variables).map((v) => v.text);
  return state.rendered.messages
    .filter((m) => m.role === 'system')
    .map((m) => {
      let text = strip(m.content);
      for (const v of variables) text = text.split(v).join('\n');
      return text;
    })
    .join('\n');
}
