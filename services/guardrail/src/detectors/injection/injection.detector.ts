import type { Span, Verdict } from '#contracts';
import { GuardText } from '../../text/guard-text.js';
import { decisionFor, passVerdict, verdict, type Detector, type DetectorContext } from '../detector.js';
import { INDIRECT_PATTERNS, INJECTION_PATTERNS, type InjectionPattern, type InjectionRule } from './injection.patterns.js';

export interface InjectionHit {
  id: string;
  rule: InjectionRule;
  weight: number;
  start: number;
  end: number;
}

export interface InjectionScore {
  score: number;
  /** The rule with the most weight: the verdict's `rule`. */
  rule: InjectionRule | null;
  hits: InjectionHit[];
}

const TOKEN = /[a-z]+/g;
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_RUN = /(?:(?:0x|\\x)?[0-9a-fA-F]{2}[\s,:]?){12,}/g;
const MAX_CANDIDATES = 16;
const MAX_TOKENS = 20_000;
const OBFUSCATION_BONUS = 0.5;

/** Scores a text against the injection patterns and the structural signals. */
export function scoreInjection(text: GuardText, options: { indirect?: boolean; depth?: number } = {}): InjectionScore {
  const hits: InjectionHit[] = [];
  const collapsed = text.collapsed;
  const tokens = new Set(collapsed.text.match(TOKEN) ?? []);
  const run = (patterns: readonly InjectionPattern[]) => {
    for (const pattern of patterns) {
      if (pattern.triggers && !pattern.triggers.some((t) => tokens.has(t))) continue;
      const view = pattern.view === 'collapsed' ? collapsed : pattern.view === 'folded' ? text.folded : null;
      const m = pattern.re.exec(view ? view.text : text.raw);
      if (!m) continue;
      const range = view ? view.range(m.index, m.index + m[0].length) : { start: m.index, end: m.index + m[0].length };
      hits.push({ id: pattern.id, rule: pattern.rule, weight: pattern.weight, ...range });
    }
  };
  run(INJECTION_PATTERNS);
  if (options.indirect) run(INDIRECT_PATTERNS);

  const depth = options.depth ?? 0;
  unicodeSignals(text, hits);
  const longest = flooding(text, hits);
  if (depth === 0) {
    encodedPayloads(text, hits, options, longest >= 20);
    transformedText(text, tokens, hits, options);
  }
  obfuscation(text, hits);
  return summarise(hits);
}

function summarise(hits: InjectionHit[]): InjectionScore {
  const byRule = new Map<InjectionRule, number>();
  let score = 0;
  for (const h of hits) {
    score += h.weight;
    byRule.set(h.rule, (byRule.get(h.rule) ?? 0) + h.weight);
  }
  let rule: InjectionRule | null = null;
  let best = 0;
  for (const [r, w] of byRule) {
    if (w > best) {
      best = w;
      rule = r;
    }
  }
  return { score, rule, hits };
}

function unicodeSignals(text: GuardText, hits: InjectionHit[]): void {
  const s = text.signals;
  const all = { start: 0, end: text.raw.length };
  if (s.tags >= 2) hits.push({ id: 'unicode.tag-characters', rule: 'unicode', weight: 1, ...all });
  if (s.bidi >= 1) hits.push({ id: 'unicode.bidi-override', rule: 'unicode', weight: 0.4, ...all });
  if (s.invisible >= 3) hits.push({ id: 'unicode.invisible', rule: 'unicode', weight: s.invisible >= 12 ? 0.6 : 0.3, ...all });
  if (s.mixedScriptWords >= 1) hits.push({ id: 'unicode.mixed-script', rule: 'unicode', weight: s.mixedScriptWords >= 2 ? 0.6 : 0.3, ...all });
}

/** Long runs of one token or a short token cycle (`ö ö ö …`, `) ] } ) ] } …`): context flooding. */
function flooding(text: GuardText, hits: InjectionHit[]): number {
  const folded = text.folded;
  const tokens: string[] = [];
  const starts: number[] = [];
  let longest = 0;
  for (const m of folded.text.matchAll(/\S+/g)) {
    tokens.push(m[0]);
    starts.push(m.index);
    if (m[0].length > longest) longest = m[0].length;
    if (tokens.length >= MAX_TOKENS) break;
  }
  let best = 0;
  let bestEnd = 0;
  let bestPeriod = 1;
  for (let period = 1; period <= 4; period++) {
    let runLength = 0;
    for (let i = period; i < tokens.length; i++) {
      if (tokens[i] === tokens[i - period]) {
        runLength++;
        if (runLength > best) {
          best = runLength;
          bestEnd = i;
          bestPeriod = period;
        }
      } else {
        runLength = 0;
      }
    }
  }
  if (best >= 40) {
    const unit = tokens.slice(bestEnd - bestPeriod + 1, bestEnd + 1).join(' ');
    const numeric = /^[\d\s.,:;-]+$/.test(unit);
    const first = Math.max(0, bestEnd - best - bestPeriod + 1);
    const range = folded.range(starts[first]!, starts[bestEnd]! + tokens[bestEnd]!.length);
    hits.push({ id: 'flooding.repeated-tokens', rule: 'flooding', weight: numeric ? 0.4 : 1, ...range });
    return longest;
  }
  // Bracket and symbol soup (`) ] } ) ] }`, `)]})]}…`): a flood even when its cycle is irregular.
  let symbolTokens = 0;
  for (const t of tokens) if (!/[\p{L}\p{N}]/u.test(t) && !/^[|:\-=+*#.,_~]+$/.test(t)) symbolTokens++;
  if (symbolTokens >= 60 && symbolTokens / tokens.length >= 0.4) {
    hits.push({ id: 'flooding.symbol-tokens', rule: 'flooding', weight: 1, start: 0, end: text.raw.length });
    return longest;
  }
  const symbols = /[^\p{L}\p{N}\s]{80,}/u.exec(folded.text);
  if (symbols) {
    const distinct = new Set(symbols[0]).size;
    hits.push({ id: 'flooding.symbol-run', rule: 'flooding', weight: distinct >= 3 ? 1 : symbols[0].length >= 200 ? 0.6 : 0.3, ...folded.range(symbols.index, symbols.index + symbols[0].length) });
    return longest;
  }
  // One chunk glued to itself many times (`wordwordword…`): only possible in a token of 30+ characters.
  if (longest >= 30) {
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.length < 30) continue;
      const glued = /(\S{3,24}?)\1{9,}/u.exec(tokens[i]!);
      if (glued && /\p{L}/u.test(glued[1]!)) {
        const at = starts[i]! + glued.index;
        hits.push({ id: 'flooding.repeated-chunk', rule: 'flooding', weight: glued[1]!.length >= 5 ? 1 : 0.5, ...folded.range(at, at + glued[0].length) });
        break;
      }
    }
  }
  return longest;
}

/** Base64 and hex runs that decode to text: hidden instructions are scored like plain ones. */
function encodedPayloads(text: GuardText, hits: InjectionHit[], options: { indirect?: boolean }, base64: boolean): void {
  let seen = 0;
  const consider = (decoded: string, start: number, end: number, kind: string) => {
    if (!looksLikeText(decoded)) return;
    hits.push({ id: `encoding.${kind}-text`, rule: 'encoding', weight: 0.5, start, end });
    const inner = scoreInjection(new GuardText(decoded), { ...options, depth: 1 });
    if (inner.score >= 0.5) hits.push({ id: `encoding.${kind}-injection`, rule: 'encoding', weight: 1, start, end });
  };
  for (const m of base64 ? text.raw.matchAll(BASE64_RUN) : []) {
    if (++seen > MAX_CANDIDATES) break;
    const candidate = m[0];
    if (!/[A-Z]/.test(candidate) || !/[a-z]/.test(candidate)) continue;
    consider(Buffer.from(candidate.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1'), m.index, m.index + candidate.length, 'base64');
  }
  for (const m of text.raw.matchAll(HEX_RUN)) {
    if (++seen > MAX_CANDIDATES) break;
    const digits = m[0].replace(/0x|\\x|[\s,:]/g, '');
    if (digits.length % 2 !== 0) continue;
    consider(Buffer.from(digits, 'hex').toString('latin1'), m.index, m.index + m[0].length, 'hex');
  }
}

function looksLikeText(decoded: string): boolean {
  if (decoded.length < 12) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    if (c === 32) spaces++;
  }
  return printable / decoded.length >= 0.95 && (letters + spaces) / decoded.length >= 0.7 && spaces >= 2;
}

/** ROT13 and reversed text, when the text asks for them, are scored once more decoded. */
function transformedText(text: GuardText, tokens: Set<string>, hits: InjectionHit[], options: { indirect?: boolean }): void {
  const all = { start: 0, end: text.raw.length };
  if (tokens.has('rot') || tokens.has('rot13') || tokens.has('caesar')) {
    const decoded = text.folded.text.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
    if (scoreInjection(new GuardText(decoded), { ...options, depth: 1 }).score >= 0.8) hits.push({ id: 'encoding.rot13-injection', rule: 'encoding', weight: 1, ...all });
  }
  if (tokens.has('reverse') || tokens.has('reversed') || tokens.has('backwards') || tokens.has('backward')) {
    const decoded = [...text.folded.text].reverse().join('');
    if (scoreInjection(new GuardText(decoded), { ...options, depth: 1 }).score >= 0.8) hits.push({ id: 'encoding.reversed-injection', rule: 'encoding', weight: 1, ...all });
  }
}

/** A pattern that matched only after normalisation (look-alikes, leetspeak, spacing): deliberate hiding. */
function obfuscation(text: GuardText, hits: InjectionHit[]): void {
  if (hits.length === 0) return;
  const collapsed = text.collapsed;
  for (const h of hits) {
    if (h.rule === 'unicode' || h.rule === 'flooding' || h.rule === 'encoding' || h.end - h.start > 400) continue;
    const raw = text.raw.slice(h.start, h.end).toLowerCase().replace(/\s+/g, ' ');
    const seen = collapsedSlice(collapsed, h.start, h.end).replace(/\s+/g, ' ');
    if (raw !== seen && raw.normalize('NFKD').replace(/\p{M}/gu, '') !== seen) {
      hits.push({ id: 'unicode.obfuscated-match', rule: 'unicode', weight: OBFUSCATION_BONUS, start: h.start, end: h.end });
      return;
    }
  }
}

function collapsedSlice(view: GuardText['collapsed'], start: number, end: number): string {
  let out = '';
  for (let i = 0; i < view.text.length; i++) {
    const s = view.start(i);
    if (s >= end) break;
    if (s >= start) out += view.text[i];
  }
  return out;
}

/**
 * Prompt injection and jailbreaks in what the user sends (`message`) and in documents passed as
 * variables (`document`, adding the indirect-injection patterns: text addressed to the assistant).
 */
export class InjectionDetector implements Detector {
  readonly name = 'injection';
  readonly phases = ['input'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const indirect = ctx.source === 'document';
    const action = indirect ? ctx.policy.input.indirectInjection : ctx.policy.input.injection;
    if (action === 'off') return [passVerdict(ctx.phase, this.name)];
    const result = scoreInjection(text, { indirect });
    if (result.score < ctx.policy.input.injectionThreshold || !result.rule) {
      return [{ ...passVerdict(ctx.phase, this.name), ...(result.score > 0 ? { score: round(result.score) } : {}) }];
    }
    const spans: Span[] = mergeSpans(result.hits.map((h) => ({ entity: h.rule, start: h.start, end: h.end })));
    const rule = indirect ? `indirect:${result.rule}` : result.rule;
    return [
      verdict(ctx.phase, this.name, decisionFor(action), {
        rule,
        score: result.score,
        spans,
        reason: `${indirect ? 'a document passed in the request' : 'the input'} looks like a prompt-injection attempt (${describe(result.rule)})`,
      }),
    ];
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function mergeSpans(spans: Span[]): Span[] {
  const seen = new Set<string>();
  return spans.filter((s) => {
    const key = `${s.entity}:${s.start}:${s.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const DESCRIPTIONS: Record<InjectionRule, string> = {
  instruction_override: 'it tells the model to drop its instructions',
  role_play: 'a jailbreak framing: role play without limits, developer mode',
  prompt_extraction: 'it asks for the system prompt or a secret',
  delimiter: 'fake chat-template markers or boundaries',
  encoding: 'an encoded payload',
  unicode: 'hidden or look-alike characters',
  flooding: 'a flood of repeated tokens',
  response_forcing: 'it dictates the exact answer',
  indirect: 'text addressed to the assistant inside data',
};

function describe(rule: InjectionRule): string {
  return DESCRIPTIONS[rule];
}
