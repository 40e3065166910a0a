import { ERROR_CODES, JsonOutputValidator, TOPICS, endWith, insertCanary, withoutCanary, type ChatMessage, type PipelineState, type Span, type Verdict } from '#contracts';
import { stricter, verdict, type Decision, type DetectorContext } from './detectors/detector.js';
import { newCanary } from './detectors/leak/canary.js';
import { runModelDetectors, type ModelDetectorRegistry } from './detectors/model/model-detector.js';
import type { InjectionClassifier } from './detectors/injection/classifier/injection-classifier.js';
import { PiiDetector } from './detectors/pii/pii.detector.js';
import { inputSegments, messageOffsets, templateMessageCount, trustedSystemText } from './input/input-segments.js';
import { checkInputSize, type InputLimits } from './input/input.checks.js';
import { DEFAULT_POLICY, PolicyCache, type GuardrailPolicy, type PolicyResult } from './policy/guardrail-policy.js';
import { withStreamPlan } from './stream/stream-plan.js';
import { applyRedactions, detectorSet, mergeVerdicts, scanText, shift, summarise, type DetectorSet, type ScanResult } from './scan/guard-scanner.js';

export interface GuardrailEngineOptions {
  limits: InputLimits;
  models?: ModelDetectorRegistry;
  /** The injection classifier's weights (GUARDRAIL_INJECTION_MODEL); the shipped ones when left out. */
  classifier?: InjectionClassifier;
}

/** The result of one guardrail phase: where the request goes next and what this phase decided. */
export interface GuardStep {
  next: 'respond' | typeof TOPICS.cacheLookup | typeof TOPICS.inference;
  state: PipelineState;
  /** This phase's verdicts (on the usage event). */
  verdicts: Verdict[];
  status: 'ok' | 'blocked' | 'failed' | 'skipped';
  errorCode: string | null;
}

const MAX_REASK_ECHO = 8_000;
const PII_ONLY = [new PiiDetector()];

/**
 * The guardrail's decisions, independent of Nest and the bus: the use cases, the scanner CLI and
 * the benchmark all run this code.
 */
export class GuardrailEngine {
  private readonly policies = new PolicyCache();
  private readonly validator = new JsonOutputValidator();
  private readonly detectors: DetectorSet;

  constructor(private readonly options: GuardrailEngineOptions) {
    this.detectors = detectorSet(options.classifier);
  }

  policyOf(state: PipelineState): PolicyResult {
    const record = state.prompt?.policies.guardrail;
    if (!state.prompt || !record || Object.keys(record).length === 0) return { ok: true, policy: DEFAULT_POLICY };
    return this.policies.get(state.prompt.contentHash, record);
  }

  /** One text through a phase's detectors, model detectors included: what the CLI scanner runs. */
  async scan(text: string, ctx: DetectorContext): Promise<ScanResult> {
    const result = scanText(text, ctx, ctx.phase === 'input' ? this.detectors.input : this.detectors.output);
    const refs = ctx.phase === 'input' ? ctx.policy.input.models : ctx.policy.output.models;
    if (refs.length === 0) return result;
    const pii = ctx.phase === 'input' ? ctx.policy.input.pii : ctx.policy.output.pii;
    return summarise([...result.verdicts, ...(await runModelDetectors(this.options.models, refs, text, ctx.phase, pii))]);
  }

  /** Input phase: sizes, injection (direct and in documents), PII, the prompt's rules; redaction and the canary. */
  async checkInput(state: PipelineState): Promise<GuardStep> {
    try {
      return await this.input(state);
    } catch {
      // Nothing a client sends may make the guardrail let a request through unchecked.
      return this.block(state, [verdict('input', 'guardrail', 'block', { rule: 'guardrail_error', reason: 'the input could not be checked; blocked to stay safe' })], DEFAULT_POLICY);
    }
  }

  /** Output phase: structured output (repair, re-ask), canary and prompt leaks, PII, the constitution, grounding. */
  async checkOutput(state: PipelineState): Promise<GuardStep> {
    if (state.outcome || !state.completion) return { next: 'respond', state, verdicts: [], status: 'skipped', errorCode: null };
    try {
      return await this.output(state);
    } catch {
      const failed = [verdict('output', 'guardrail', 'block', { rule: 'guardrail_error', reason: 'the answer could not be checked; blocked to stay safe' })];
      return this.blockOutput(state, failed, this.policyOrDefault(state));
    }
  }

  private policyOrDefault(state: PipelineState): GuardrailPolicy {
    const result = this.policyOf(state);
    return result.ok ? result.policy : DEFAULT_POLICY;
  }

  private async input(state: PipelineState): Promise<GuardStep> {
    const policyResult = this.policyOf(state);
    if (!policyResult.ok) {
      return this.block(state, [verdict('input', 'policy', 'block', { rule: 'policy_invalid', reason: `the prompt's guardrail policy is invalid: ${policyResult.errors.join('; ')}` })], DEFAULT_POLICY);
    }
    const policy = policyResult.policy;
    const sizes = checkInputSize(state, this.options.limits, policy.input);
    if (sizes.some((v) => v.decision === 'block')) return this.block(state, sizes, policy);

    const messages = state.rendered.messages;
    const offsets = messageOffsets(messages);
    const found: Verdict[] = [...sizes];
    const redactions = new Map<number, Span[]>();
    const untrusted: string[] = [];
    const pieces: Piece[] = [];
    for (const seg of inputSegments(state, policy)) {
      const text = messages[seg.message]!.content.slice(seg.start, seg.end);
      if (seg.full) {
        untrusted.push(text);
        pieces.push({ message: seg.message, start: seg.start, length: text.length });
      }
      const result = scanText(text, { phase: 'input', source: seg.source, policy }, seg.full ? this.detectors.input : this.detectors.documentOnly);
      for (const v of result.verdicts) found.push({ ...v, spans: shift(v.spans, offsets[seg.message]! + seg.start) });
      if (result.redactions.length > 0) redactions.set(seg.message, [...(redactions.get(seg.message) ?? []), ...shift(result.redactions, seg.start)]);
    }
    if (policy.input.models.length > 0 && untrusted.length > 0) {
      // One call over the untrusted text joined; span recognisers' spans are mapped back to their messages.
      for (const v of await runModelDetectors(this.options.models, policy.input.models, untrusted.join('\n'), 'input', policy.input.pii)) {
        if (v.spans.length === 0) {
          found.push(v);
          continue;
        }
        const placed = placeSpans(v.spans, pieces);
        found.push({ ...v, spans: placed.map((p) => ({ ...p.span, start: p.span.start + offsets[p.message]!, end: p.span.end + offsets[p.message]! })) });
        if (v.decision === 'redact') for (const p of placed) redactions.set(p.message, [...(redactions.get(p.message) ?? []), p.span]);
      }
    }

    const verdicts = mergeVerdicts(found);
    if (decisionOf(verdicts) === 'block') return this.block(state, verdicts, policy);

    const redacted = redactState(state, redactions);
    let next: PipelineState = { ...redacted, verdicts: [...state.verdicts, ...verdicts] };
    if (policy.output.canary) {
      const token = newCanary();
      const withCanary = insertCanary(next.rendered.messages, token);
      if (withCanary) next = { ...next, rendered: { ...next.rendered, messages: withCanary }, guard: { ...next.guard, canary: token } };
    }
    next = withStreamPlan(next, policy);
    return { next: TOPICS.cacheLookup, state: next, verdicts, status: 'ok', errorCode: null };
  }

  private block(state: PipelineState, verdicts: Verdict[], policy: GuardrailPolicy): GuardStep {
    const cause = verdicts.find((v) => v.decision === 'block')!;
    const ended = endWith({ ...state, verdicts: [...state.verdicts, ...verdicts] }, 'blocked', { code: ERROR_CODES.guardrailBlocked, message: blockMessage(cause) }, policy.fallback.content);
    return { next: 'respond', state: ended, verdicts, status: 'blocked', errorCode: ERROR_CODES.guardrailBlocked };
  }

  private async output(state: PipelineState): Promise<GuardStep> {
    const policyResult = this.policyOf(state);
    if (!policyResult.ok) {
      return this.blockOutput(state, [verdict('output', 'policy', 'block', { rule: 'policy_invalid', reason: `the prompt's guardrail policy is invalid: ${policyResult.errors.join('; ')}` })], DEFAULT_POLICY);
    }
    const policy = policyResult.policy;
    const completion = state.completion!;
    const verdicts: Verdict[] = [];
    let content = completion.content;
    let parsed: unknown = completion.parsed;
    const format = state.rendered.responseFormat;
    if (format) {
      const result = this.validator.validate(content, format, { repair: policy.output.schema.repair });
      if (!result.ok) {
        const invalid = verdict('output', 'json-schema', 'block', { rule: 'response_format', reason: result.errors.join('; ') });
        return this.invalidOutput(state, invalid, result.errors, policy);
      }
      content = result.content;
      parsed = result.parsed;
      verdicts.push(verdict('output', 'json-schema', 'pass', result.repaired ? { rule: 'repaired', reason: 'the JSON was repaired (fences or surrounding text removed)' } : {}));
    }

    const scan = await this.scan(content, this.outputContext(state, policy));
    verdicts.push(...mergeVerdicts(scan.verdicts));
    if (scan.decision === 'block') return this.blockOutput(state, verdicts, policy);

    if (scan.redactions.length > 0) {
      content = applyRedactions(content, scan.redactions);
      if (parsed !== undefined) parsed = reparse(content, parsed);
    }
    if (!format) for (const text of disclaimersFor(verdicts, policy)) content = `${content.trimEnd()}\n\n${text}`;
    const next: PipelineState = {
      ...state,
      completion: { ...completion, content, ...(parsed === undefined ? {} : { parsed }) },
      verdicts: [...state.verdicts, ...verdicts],
    };
    return { next: 'respond', state: next, verdicts, status: 'ok', errorCode: null };
  }

  /** What the output detectors know about a request: its policy, canary, trusted system prompt and grounding documents. */
  outputContext(state: PipelineState, policy: GuardrailPolicy): DetectorContext {
    return {
      phase: 'output',
      source: 'completion',
      policy,
      ...(state.guard?.canary ? { canary: state.guard.canary } : {}),
      systemPrompt: trustedSystemText(state, (t) => withoutCanary(t, state.guard?.canary)),
      ...groundingDocuments(state, policy),
    };
  }

  /** Invalid structured output: re-ask with the errors, then the fallback model, then a clear failure. */
  private invalidOutput(state: PipelineState, invalid: Verdict, errors: string[], policy: GuardrailPolicy): GuardStep {
    const reasks = state.guard?.reasks ?? 0;
    const format = state.rendered.responseFormat!;
    if (reasks < policy.output.schema.maxReasks) {
      const previous = this.redactForEcho(state.completion!.content, policy);
      const ask: ChatMessage = {
        role: 'user',
        content:
          `Your previous reply does not match the required JSON schema "${format.name}": ${errors.join('; ')}. ` +
          'Reply again with only a JSON value that matches the schema: no code fences and no text before or after it.',
      };
      const reaskVerdict = { ...invalid, decision: 'pass' as const, rule: 'reask', reason: `re-asked the model (${reasks + 1} of ${policy.output.schema.maxReasks}): ${invalid.reason}` };
      const { completion: _dropped, ...rest } = state;
      const next: PipelineState = {
        ...rest,
        rendered: { ...state.rendered, messages: [...state.rendered.messages, { role: 'assistant', content: previous }, ask] },
        guard: { ...state.guard, reasks: reasks + 1, attempt: (state.guard?.attempt ?? 0) + 1 },
        verdicts: [...state.verdicts, reaskVerdict],
      };
      return { next: TOPICS.inference, state: next, verdicts: [reaskVerdict], status: 'ok', errorCode: null };
    }
    const rerouted = this.toFallbackModel(state, [invalid], policy);
    if (rerouted) return rerouted;
    const failed = endWith({ ...state, verdicts: [...state.verdicts, invalid] }, 'failed', {
      code: ERROR_CODES.outputInvalid,
      message: `the model's output does not match the response schema${reasks > 0 ? ` after ${reasks} re-ask${reasks > 1 ? 's' : ''}` : ''}: ${invalid.reason}`,
    });
    return { next: 'respond', state: failed, verdicts: [invalid], status: 'failed', errorCode: ERROR_CODES.outputInvalid };
  }

  /** A blocked answer: the prompt's fallback model once, else its canned answer, else `blocked` with the reason. */
  private blockOutput(state: PipelineState, verdicts: Verdict[], policy: GuardrailPolicy): GuardStep {
    const rerouted = this.toFallbackModel(state, verdicts, policy);
    if (rerouted) return rerouted;
    return this.block(state, verdicts, policy);
  }

  private toFallbackModel(state: PipelineState, verdicts: Verdict[], policy: GuardrailPolicy): GuardStep | null {
    const model = policy.fallback.model;
    if (!model || state.guard?.fallbackModel || model === state.rendered.model) return null;
    const { completion: _dropped, ...rest } = state;
    const cache = state.cache ? { outcome: state.cache.outcome, ...(state.cache.key ? { key: state.cache.key } : {}) } : undefined;
    const next: PipelineState = {
      ...rest,
      ...(cache ? { cache } : {}),
      rendered: { ...state.rendered, model },
      guard: { ...state.guard, fallbackModel: model, attempt: (state.guard?.attempt ?? 0) + 1 },
      verdicts: [...state.verdicts, ...verdicts],
    };
    return { next: TOPICS.inference, state: next, verdicts, status: 'blocked', errorCode: ERROR_CODES.guardrailBlocked };
  }

  /** The invalid answer, echoed back in a re-ask, without the PII the output policy would redact. */
  private redactForEcho(content: string, policy: GuardrailPolicy): string {
    const clipped = content.length > MAX_REASK_ECHO ? content.slice(0, MAX_REASK_ECHO) : content;
    const pii = scanText(clipped, { phase: 'output', source: 'completion', policy }, PII_ONLY);
    return applyRedactions(clipped, pii.redactions);
  }
}

interface Piece {
  message: number;
  start: number;
  length: number;
}

/** Spans over the untrusted pieces joined with `\n`, as spans of their messages (a span across two pieces is cut at the join). */
function placeSpans(spans: readonly Span[], pieces: readonly Piece[]): Array<{ message: number; span: Span }> {
  const out: Array<{ message: number; span: Span }> = [];
  let at = 0;
  for (const piece of pieces) {
    for (const s of spans) {
      const start = Math.max(s.start, at);
      const end = Math.min(s.end, at + piece.length);
      if (end > start) out.push({ message: piece.message, span: { ...s, start: start - at + piece.start, end: end - at + piece.start } });
    }
    at += piece.length + 1;
  }
  return out;
}

function decisionOf(verdicts: readonly Verdict[]): Decision {
  let d: Decision = 'pass';
  for (const v of verdicts) d = stricter(d, v.decision);
  return d;
}

/** The disclaimers the constitution asks to append (its `redact` verdicts with a `disclaimer:<n>` rule). */
export function disclaimersFor(verdicts: readonly Verdict[], policy: GuardrailPolicy): string[] {
  const texts: string[] = [];
  for (const v of verdicts) {
    const index = v.detector === 'constitution' && v.decision === 'redact' ? /^disclaimer:(\d+)$/.exec(v.rule ?? '')?.[1] : undefined;
    const disclaimer = index === undefined ? undefined : policy.output.constitution.disclaimers[Number(index)];
    if (disclaimer) texts.push(disclaimer.text);
  }
  return texts;
}

/** The outcome's error message: which detector and rule, and why; never the text itself. */
export function blockMessage(v: Verdict): string {
  return `${v.detector}${v.rule ? `/${v.rule}` : ''}: ${v.reason ?? 'blocked by the guardrail'}`;
}

function groundingDocuments(state: PipelineState, policy: GuardrailPolicy): { documents?: string[] } {
  const names = policy.output.grounding?.documents;
  if (!names) return {};
  const docs = names.map((n) => state.request.variables[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return docs.length > 0 ? { documents: docs } : {};
}

function reparse(content: string, fallback: unknown): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return fallback;
  }
}

/**
 * Applies redactions to the rendered messages, and removes the same raw values from the request's
 * variables and messages, so no later stage, log or dead letter carries them.
 */
function redactState(state: PipelineState, redactions: Map<number, Span[]>): PipelineState {
  if (redactions.size === 0) return state;
  const replaced = new Map<string, string>();
  const messages = state.rendered.messages.map((m, i) => {
    const spans = redactions.get(i);
    if (!spans) return m;
    for (const s of spans) replaced.set(m.content.slice(s.start, s.end), `[${s.entity}]`);
    return { ...m, content: applyRedactions(m.content, spans) };
  });
  const values = [...replaced.entries()].filter(([raw]) => raw.length > 0).sort((a, b) => b[0].length - a[0].length);
  const scrub = (text: string) => values.reduce((t, [raw, token]) => (t.includes(raw) ? t.split(raw).join(token) : t), text);
  const variables = Object.fromEntries(Object.entries(state.request.variables).map(([k, v]) => [k, typeof v === 'string' ? scrub(v) : v]));
  const fromTemplate = templateMessageCount(state);
  const requestMessages = state.request.messages.map((m, i) => {
    const rendered = messages[fromTemplate + i];
    return rendered && state.rendered.messages[fromTemplate + i]?.content === m.content ? { ...m, content: rendered.content } : { ...m, content: scrub(m.content) };
  });
  return {
    ...state,
    request: { ...state.request, variables, messages: requestMessages },
    rendered: { ...state.rendered, messages },
  };
}
