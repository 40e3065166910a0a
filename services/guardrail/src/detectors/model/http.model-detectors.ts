import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PiiEntity } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import type { PiiMatch } from '../pii/span-recognizer.js';
import { MalformedAnswer, type ModelDetection, type ModelDetector, type SpanModelDetector } from './model-detector.js';

interface HttpOptions {
  name: string;
  url: string;
  apiKey?: string;
  model?: string;
}

async function postJson(url: string, body: unknown, apiKey: string | undefined, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const answer = await res.text();
  try {
    return JSON.parse(answer) as unknown;
  } catch {
    throw new MalformedAnswer('not JSON');
  }
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path}`;

/**
 * OpenAI-compatible moderation (`POST {url}/moderations`): the score is the highest category
 * score, the label that category.
 */
export class OpenAiModerationDetector implements ModelDetector {
  constructor(private readonly options: HttpOptions) {}

  get name(): string {
    return this.options.name;
  }

  async detect(text: string, signal: AbortSignal): Promise<ModelDetection> {
    const body = await postJson(join(this.options.url, 'moderations'), { model: this.options.model ?? 'omni-moderation-latest', input: text }, this.options.apiKey, signal);
    const result = (body as { results?: Array<{ flagged?: boolean; category_scores?: Record<string, number> }> }).results?.[0];
    if (!result) throw new Error('no moderation result');
    const scores = Object.entries(result.category_scores ?? {});
    const [label, score] = scores.sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
    return { score: result.flagged ? Math.max(score, 0.5) : score, ...(label ? { label } : {}) };
  }
}

/**
 * A text-classification server (Hugging Face text-classification / TEI `/predict` style; Prompt
 * Guard served this way): `POST {url} {"inputs": text}` answering `[{label, score}]` (or nested
 * once). The score is the highest score among `positiveLabels`.
 */
export class HttpClassifierDetector implements ModelDetector {
  constructor(private readonly options: HttpOptions & { positiveLabels: readonly string[] }) {}

  get name(): string {
    return this.options.name;
  }

  async detect(text: string, signal: AbortSignal): Promise<ModelDetection> {
    const body = await postJson(this.options.url, { inputs: text }, this.options.apiKey, signal);
    const flat = (Array.isArray(body) && Array.isArray(body[0]) ? body[0] : Array.isArray(body) ? body : [body]) as Array<{ label?: string; score?: number }>;
    const positive = new Set(this.options.positiveLabels.map((l) => l.toLowerCase()));
    let best: ModelDetection = { score: 0 };
    for (const item of flat) {
      if (typeof item?.label !== 'string' || typeof item.score !== 'number') continue;
      if (positive.has(item.label.toLowerCase()) && item.score > best.score) best = { score: item.score, label: item.label };
    }
    return best;
  }
}

/**
 * Llama Guard (or any safety model) behind an OpenAI-compatible chat endpoint: the reply's first
 * line is `safe` or `unsafe`, the second the hazard categories.
 */
export class ChatClassifierDetector implements ModelDetector {
  constructor(private readonly options: HttpOptions) {}

  get name(): string {
    return this.options.name;
  }

  async detect(text: string, signal: AbortSignal): Promise<ModelDetection> {
    const body = await postJson(
      join(this.options.url, 'chat/completions'),
      { model: this.options.model, messages: [{ role: 'user', content: text }], temperature: 0, max_tokens: 20 },
      this.options.apiKey,
      signal,
    );
    const content = (body as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content?.trim().toLowerCase() ?? '';
    const [verdict, categories] = content.split(/\s*\n\s*/);
    if (verdict !== 'safe' && verdict !== 'unsafe') throw new Error('unexpected classifier reply');
    return verdict === 'unsafe' ? { score: 1, ...(categories ? { label: categories.toUpperCase() } : {}) } : { score: 0 };
  }
}

/** The shipped mapping of Presidio and NER entity types to Ballast's (`data/presidio-entities.json`). */
export const SHIPPED_PRESIDIO_ENTITIES = fileURLToPath(new URL('../../../data/presidio-entities.json', import.meta.url));

const EntityMapFile = z.strictObject({ description: z.string().min(1), entities: z.record(z.string().min(1), PiiEntity) });

/**
 * Reads a mapping of foreign entity types to Ballast's PII entities.
 *
 * @throws Error naming the file and the entry that is not a Ballast entity
 */
export function loadEntityMap(path = SHIPPED_PRESIDIO_ENTITIES): ReadonlyMap<string, PiiEntity> {
  const parsed = EntityMapFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return new Map(Object.entries(parsed.data.entities));
}

/** Presidio Analyzer's answer: `[{entity_type, start, end, score, ...}]` (extra fields such as `analysis_explanation` allowed). */
const PresidioAnswer = z.array(
  z.looseObject({ entity_type: z.string().min(1), start: z.number().int().min(0), end: z.number().int().min(0), score: z.number().min(0).max(1) }),
);

/**
 * A Presidio Analyzer, or any NER server speaking its REST API: `POST {url}/analyze` with
 * `{text, language, entities?, score_threshold?}` answering `[{entity_type, start, end, score}]`.
 * Entity types are mapped to Ballast's with `data/presidio-entities.json`; unmapped types are
 * dropped. An answer that is not that list, or a span outside the text, is malformed (the policy's
 * `onError` decides). As a plain model detector its score is its best span's.
 */
export class PresidioRecognizer implements SpanModelDetector {
  private readonly entityMap: ReadonlyMap<string, PiiEntity>;

  constructor(private readonly options: HttpOptions & { language?: string; entities?: readonly string[]; scoreThreshold?: number; entityMap?: ReadonlyMap<string, PiiEntity> }) {
    this.entityMap = options.entityMap ?? loadEntityMap();
  }

  get name(): string {
    return this.options.name;
  }

  async recognize(text: GuardText, signal?: AbortSignal): Promise<PiiMatch[]> {
    const raw = text.raw;
    const body = await postJson(
      join(this.options.url, 'analyze'),
      {
        text: raw,
        language: this.options.language ?? 'en',
        ...(this.options.entities ? { entities: this.options.entities } : {}),
        ...(this.options.scoreThreshold === undefined ? {} : { score_threshold: this.options.scoreThreshold }),
      },
      this.options.apiKey,
      signal ?? new AbortController().signal,
    );
    const parsed = PresidioAnswer.safeParse(body);
    if (!parsed.success) throw new MalformedAnswer(`not a list of {entity_type, start, end, score}: ${parsed.error.issues[0]!.path.join('.') || '(root)'}`);
    const out: PiiMatch[] = [];
    for (const r of parsed.data) {
      if (r.end <= r.start || r.end > raw.length) throw new MalformedAnswer(`span ${r.start}-${r.end} outside a text of ${raw.length} characters`);
      const entity = this.entityMap.get(r.entity_type);
      if (entity) out.push({ entity, start: r.start, end: r.end, score: r.score });
    }
    return out;
  }

  async detect(text: string, signal: AbortSignal): Promise<ModelDetection> {
    const spans = await this.recognize(new GuardText(text), signal);
    const best = spans.reduce<PiiMatch | undefined>((a, b) => (a && a.score >= b.score ? a : b), undefined);
    return best ? { score: best.score, label: best.entity } : { score: 0 };
  }
}

export const ModelDetectorConfig = z.array(
  z.strictObject({
    name: z.string().min(1).max(100),
    kind: z.enum(['openai-moderation', 'classifier', 'chat-classifier', 'presidio']),
    url: z.url(),
    /** Name of the environment variable that holds the API key (keys stay out of this JSON). */
    apiKeyEnv: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    positiveLabels: z.array(z.string().min(1)).default(['INJECTION', 'JAILBREAK', 'MALICIOUS', 'unsafe', 'LABEL_1']),
    /** `presidio`: the analyzer's `language`, the entity types to ask for, and its own `score_threshold`. */
    language: z.string().min(2).max(10).optional(),
    entities: z.array(z.string().min(1)).max(100).optional(),
    scoreThreshold: z.number().min(0).max(1).optional(),
  }),
);
export type ModelDetectorConfig = z.infer<typeof ModelDetectorConfig>;

/**
 * Model detectors from `GUARDRAIL_MODEL_DETECTORS` (JSON), for example
 * `[{"name":"prompt-guard","kind":"classifier","url":"http://prompt-guard:8080/predict"},
 *   {"name":"presidio","kind":"presidio","url":"http://presidio-analyzer:3000","language":"en"}]`.
 */
export function modelDetectorsFrom(json: string | undefined, env: NodeJS.ProcessEnv = process.env): ModelDetector[] {
  if (!json || json.trim() === '') return [];
  const config = ModelDetectorConfig.parse(JSON.parse(json));
  return config.map((c) => {
    const apiKey = c.apiKeyEnv ? env[c.apiKeyEnv] : undefined;
    const base = { name: c.name, url: c.url, ...(apiKey ? { apiKey } : {}), ...(c.model ? { model: c.model } : {}) };
    if (c.kind === 'openai-moderation') return new OpenAiModerationDetector(base);
    if (c.kind === 'chat-classifier') return new ChatClassifierDetector(base);
    if (c.kind === 'presidio') {
      return new PresidioRecognizer({ ...base, ...(c.language ? { language: c.language } : {}), ...(c.entities ? { entities: c.entities } : {}), ...(c.scoreThreshold === undefined ? {} : { scoreThreshold: c.scoreThreshold }) });
    }
    return new HttpClassifierDetector({ ...base, positiveLabels: c.positiveLabels });
  });
}
