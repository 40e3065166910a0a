import { z } from 'zod';
import type { ModelDetection, ModelDetector } from './model-detector.js';

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
  return res.json();
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

export const ModelDetectorConfig = z.array(
  z.strictObject({
    name: z.string().min(1).max(100),
    kind: z.enum(['openai-moderation', 'classifier', 'chat-classifier']),
    url: z.url(),
    /** Name of the environment variable that holds the API key (keys stay out of this JSON). */
    apiKeyEnv: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    positiveLabels: z.array(z.string().min(1)).default(['INJECTION', 'JAILBREAK', 'MALICIOUS', 'unsafe', 'LABEL_1']),
  }),
);
export type ModelDetectorConfig = z.infer<typeof ModelDetectorConfig>;

/**
 * Model detectors from `GUARDRAIL_MODEL_DETECTORS` (JSON), for example
 * `[{"name":"prompt-guard","kind":"classifier","url":"http://prompt-guard:8080/predict"}]`.
 */
export function modelDetectorsFrom(json: string | undefined, env: NodeJS.ProcessEnv = process.env): ModelDetector[] {
  if (!json || json.trim() === '') return [];
  const config = ModelDetectorConfig.parse(JSON.parse(json));
  return config.map((c) => {
    const apiKey = c.apiKeyEnv ? env[c.apiKeyEnv] : undefined;
    const base = { name: c.name, url: c.url, ...(apiKey ? { apiKey } : {}), ...(c.model ? { model: c.model } : {}) };
    if (c.kind === 'openai-moderation') return new OpenAiModerationDetector(base);
    if (c.kind === 'chat-classifier') return new ChatClassifierDetector(base);
    return new HttpClassifierDetector({ ...base, positiveLabels: c.positiveLabels });
  });
}
