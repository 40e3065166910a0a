import { z } from 'zod';

/** PII entity types the deterministic recognisers find; a span's `entity` and the redaction token (`[EMAIL]`). */
export const PII_ENTITIES = [
  'EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP_ADDRESS', 'URL', 'DATE_OF_BIRTH', 'SECRET', 'PERSON',
  'ADDRESS', 'LOCATION', 'ORGANIZATION', 'PASSPORT', 'DRIVER_LICENSE', 'UK_NINO', 'DE_TAX_ID', 'FR_NIR', 'ES_NIF', 'IT_FISCAL_CODE',
] as const;
export const PiiEntity = z.enum(PII_ENTITIES);
export type PiiEntity = z.infer<typeof PiiEntity>;

/** What to do with a finding: `warn` records it on the outcome without acting. */
export const BlockAction = z.enum(['block', 'warn', 'off']);
export type BlockAction = z.infer<typeof BlockAction>;
export const PiiAction = z.enum(['redact', 'block', 'warn', 'allow']);
export type PiiAction = z.infer<typeof PiiAction>;

/** The in-process span recognisers (docs/guardrails.md): `rules` (patterns and checksums), `lexicon` (name and place lists). */
export const LOCAL_RECOGNIZERS = ['rules', 'lexicon'] as const;

const PiiSettings = z
  .union([
    PiiAction,
    z.strictObject({
      default: PiiAction.default('redact'),
      entities: z.partialRecord(PiiEntity, PiiAction).default({}),
      /** Values never treated as PII (a support address the answer may quote), compared case-insensitively. */
      allow: z.array(z.string().min(1).max(500)).max(500).default([]),
      /** Which in-process recognisers run; HTTP ones (Presidio) are named under `models`. */
      recognizers: z.array(z.enum(LOCAL_RECOGNIZERS)).min(1).default([...LOCAL_RECOGNIZERS]),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { default: v, entities: {}, allow: [], recognizers: [...LOCAL_RECOGNIZERS] } : v));
export type PiiSettings = z.output<typeof PiiSettings>;

const MAX_PATTERN = 500;
// Nested quantifiers such as (a+)+ or (\w*)* can backtrack for ever on a crafted input.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

const RegexSource = z
  .string()
  .min(1)
  .max(MAX_PATTERN)
  .superRefine((source, ctx) => {
    if (NESTED_QUANTIFIER.test(source)) {
      ctx.addIssue({ code: 'custom', message: `pattern "${source}" nests quantifiers, which can backtrack catastrophically; rewrite it without (x+)+` });
      return;
    }
    try {
      new RegExp(source, 'iu');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `pattern "${source}" is not a valid regular expression: ${(error as Error).message}` });
    }
  });

/** A deny rule: a regular expression (case-insensitive, matched on normalised text). */
export const DenyPattern = z
  .union([RegexSource, z.strictObject({ pattern: RegexSource, name: z.string().min(1).max(100).optional(), action: BlockAction.default('block') })])
  .transform((v) => (typeof v === 'string' ? { pattern: v, name: undefined, action: 'block' as const } : v));
export type DenyPattern = z.output<typeof DenyPattern>;

/** A denied topic: any of its keywords or phrases (whole words, normalised) marks the text as on the topic. */
export const DenyTopic = z
  .union([
    z.string().min(2).max(200),
    z.strictObject({ name: z.string().min(1).max(100), keywords: z.array(z.string().min(2).max(200)).min(1).max(500), action: BlockAction.default('block') }),
  ])
  .transform((v) => (typeof v === 'string' ? { name: v, keywords: [v], action: 'block' as const } : v));
export type DenyTopic = z.output<typeof DenyTopic>;

/** A model-based detector registered with the service (GUARDRAIL_MODEL_DETECTORS), applied by this prompt. */
export const ModelDetectorRef = z
  .union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1).max(100),
      action: BlockAction.default('block'),
      /** Score at or above which the detector's finding counts. */
      threshold: z.number().min(0).max(1).default(0.5),
      /** When the detector is down or slow: `open` lets the text through (recorded), `closed` blocks it. */
      onError: z.enum(['open', 'closed']).default('open'),
      timeoutMs: z.number().int().min(10).max(30_000).optional(),
    }),
  ])
  .transform((v) => (typeof v === 'string' ? { name: v, action: 'block' as const, threshold: 0.5, onError: 'open' as const, timeoutMs: undefined } : v));
export type ModelDetectorRef = z.output<typeof ModelDetectorRef>;

const Disclaimer = z.strictObject({
  /** The disclaimer text appended when the answer lacks it. */
  text: z.string().min(1).max(2000),
  /** Only when the answer matches this pattern (for example a medical term); always when left out. */
  when: RegexSource.optional(),
  /** Pattern that counts as the disclaimer being present; the text itself when left out. */
  present: RegexSource.optional(),
  action: z.enum(['append', 'block']).default('append'),
});

export const InputPolicy = z.strictObject({
  injection: BlockAction.default('block'),
  /** Score at which injection heuristics count as an attack: 1 is one strong signal or several weak ones. */
  injectionThreshold: z.number().min(0.1).max(10).default(1),
  /**
   * Probability at which the learned classifier counts a text as an attack: `strict` flags more,
   * `permissive` less (each set from held-out benign text when the weights were trained), a number
   * in (0, 1) sets it directly, `off` leaves only the rules.
   */
  injectionClassifier: z.union([z.enum(['strict', 'balanced', 'permissive', 'off']), z.number().gt(0).lt(1)]).default('balanced'),
  /**
   * What a classifier finding does, capped by `injection` / `indirectInjection`: `warn` (the default)
   * records the finding and its probability without blocking, because imperative but benign
   * instructions ("Respond only in JSON", "From now on answer yes or no") score above `balanced`;
   * `block` makes the classifier block on its own (see docs/guardrail-model.md for its error rates).
   */
  injectionClassifierAction: BlockAction.default('warn'),
  /** Variables that carry untrusted documents (retrieved pages, e-mails): checked for indirect injection. */
  documents: z.array(z.string().min(1).max(200)).max(50).default([]),
  indirectInjection: BlockAction.default('block'),
  pii: PiiSettings.prefault('redact'),
  maxChars: z.number().int().positive().optional(),
  maxMessageChars: z.number().int().positive().optional(),
  maxMessages: z.number().int().positive().optional(),
  /** ISO 639-1 codes; texts confidently in another language are blocked. Empty: any language. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en')).max(50).default([]),
  denyTopics: z.array(DenyTopic).max(200).default([]),
  denyPatterns: z.array(DenyPattern).max(200).default([]),
  models: z.array(ModelDetectorRef).max(10).default([]),
});
export type InputPolicy = z.output<typeof InputPolicy>;

export const OutputPolicy = z.strictObject({
  pii: PiiSettings.prefault('redact'),
  /** Hide a canary in the rendered system prompt and block answers that repeat it. */
  canary: z.boolean().default(true),
  /** Long verbatim runs of the system prompt in an answer. */
  systemPromptLeak: BlockAction.default('block'),
  /** Words in a row that make a verbatim run. */
  leakMinWords: z.number().int().min(4).max(100).default(10),
  schema: z
    .strictObject({
      /** Strip code fences and surrounding prose before validating. */
      repair: z.boolean().default(true),
      /** Times the guardrail sends the request back to inference with the validation errors. */
      maxReasks: z.number().int().min(0).max(3).default(1),
    })
    .default({ repair: true, maxReasks: 1 }),
  constitution: z
    .strictObject({
      deny: z.array(DenyPattern).max(200).default([]),
      denyTopics: z.array(DenyTopic).max(200).default([]),
      disclaimers: z.array(Disclaimer).max(20).default([]),
      /** What a refusal ("I can't help with that") does: `allow` passes it, `block` uses the fallback. */
      refusal: z.enum(['allow', 'warn', 'block']).default('allow'),
    })
    .default({ deny: [], denyTopics: [], disclaimers: [], refusal: 'allow' }),
  grounding: z
    .strictObject({
      /** Variables holding the context the answer must rest on. */
      documents: z.array(z.string().min(1).max(200)).min(1).max(50),
      /** Share of a claim's content words that must appear in the context. */
      minSupport: z.number().min(0).max(1).default(0.5),
      /** Share of unsupported claims at which the answer fails. */
      maxUnsupported: z.number().min(0).max(1).default(0.34),
      action: BlockAction.default('warn'),
    })
    .optional(),
  models: z.array(ModelDetectorRef).max(10).default([]),
  /**
   * A streamed answer (docs/streaming.md): `windowed` holds back the last `windowTokens` words and
   * releases text only once the detectors passed it with the window after it; `buffered` checks the
   * whole answer first, then streams it. Structured output is always buffered.
   */
  stream: z
    .strictObject({ mode: z.enum(['windowed', 'buffered']).default('windowed'), windowTokens: z.number().int().min(1).max(1_000).default(16) })
    .default({ mode: 'windowed', windowTokens: 16 }),
});
export type OutputPolicy = z.output<typeof OutputPolicy>;

export const FallbackPolicy = z.strictObject({
  /** A canned answer sent instead of a blocked one (status `blocked`, source `fallback`). */
  content: z.string().min(1).max(20_000).optional(),
  /** A model to ask again when an answer is blocked (once per request). */
  model: z.string().min(1).max(200).optional(),
});
export type FallbackPolicy = z.output<typeof FallbackPolicy>;

/**
 * A prompt's guardrail policy: `policies.guardrail` in `prompts/*.yaml`. Every field has a default,
 * so `{}` means: block injections, redact PII both ways, canary on, repair JSON with one re-ask.
 *
 * @example GuardrailPolicy.parse({ input: { pii: { default: 'redact', entities: { CREDIT_CARD: 'block' } } } })
 */
export const GuardrailPolicy = z.strictObject({
  input: InputPolicy.default(() => InputPolicy.parse({})),
  output: OutputPolicy.default(() => OutputPolicy.parse({})),
  fallback: FallbackPolicy.default({}),
});
export type GuardrailPolicy = z.output<typeof GuardrailPolicy>;
export type GuardrailPolicyInput = z.input<typeof GuardrailPolicy>;

export const DEFAULT_POLICY: GuardrailPolicy = GuardrailPolicy.parse({});

export type PolicyResult = { ok: true; policy: GuardrailPolicy } | { ok: false; errors: string[] };

/** Parses a policy record; errors name the field, so a prompt author can fix the YAML. */
export function parsePolicy(record: unknown): PolicyResult {
  const result = GuardrailPolicy.safeParse(record ?? {});
  if (result.success) return { ok: true, policy: result.data };
  return { ok: false, errors: result.error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`) };
}

/**
 * Parsed policies by prompt content hash (a prompt version is immutable, so its policy is too).
 * Bounded, oldest out first.
 */
export class PolicyCache {
  private readonly entries = new Map<string, PolicyResult>();

  constructor(private readonly capacity = 1_000) {}

  get(key: string | null, record: unknown): PolicyResult {
    if (key === null) return parsePolicy(record);
    let hit = this.entries.get(key);
    if (!hit) {
      hit = parsePolicy(record);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, hit);
    }
    return hit;
  }
}
