import type { ChatMessage, ResponseFormat } from '#contracts';

/** One provider call the judge made, for its usage event and the score's judge cost. */
export interface JudgeCallUsage {
  model: string;
  provider: string;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number | null;
  estimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  errorType: string | null;
  priceTableVersion: string;
}

export interface JudgeAsk {
  model: string;
  messages: ChatMessage[];
  format: ResponseFormat;
  /** Epoch milliseconds by which the ask (its retries and fallbacks included) must be over. */
  deadline: number;
  /** 0 for a plain ask; self-consistency samples after the first ask at a temperature above 0. */
  sample: number;
  meta: { requestId: string; tenantId: string; promptName?: string; promptVersion?: number };
}

export type JudgeReply = { ok: true; content: string; calls: JudgeCallUsage[] } | { ok: false; code: string; message: string; calls: JudgeCallUsage[] };

/** The judge's model, behind a port: the judge service calls providers through `#models`; `ballast eval` an HTTP endpoint. */
export interface JudgeModel {
  ask(ask: JudgeAsk): Promise<JudgeReply>;
}
