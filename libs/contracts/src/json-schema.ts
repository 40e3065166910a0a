import { z } from 'zod';
import { MESSAGES, envelopeSchemaFor, type EnvelopeTopic } from './catalogue.js';
import { QualityScore } from './events.js';
import { LlmRequest } from './llm-request.js';
import { LlmResponse } from './llm-response.js';

/**
 * JSON Schema (draft 2020-12) for every public message, for producers that are not TypeScript:
 * one envelope schema per topic, plus the bare request, response and quality-score payloads. Keys are file names.
 */
export function publicJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'llm-request.schema.json': z.toJSONSchema(LlmRequest, { io: 'input' }),
    'llm-response.schema.json': z.toJSONSchema(LlmResponse, { io: 'output' }),
    // What analysts read from ballast.quality-scores.v1 (the payload; the envelope schema is below).
    'quality-score.schema.json': { $id: 'https://ballast.dev/schemas/quality-score.schema.json', title: 'QualityScore (ballast.quality-scores.v1 payload)', ...z.toJSONSchema(QualityScore, { io: 'output' }) },
  };
  for (const topic of Object.keys(MESSAGES) as EnvelopeTopic[]) {
    // What a producer sends: defaults may be left out, so the input side of the schema.
    out[`${topic}.envelope.schema.json`] = { $id: `https://ballast.dev/schemas/${topic}.envelope.schema.json`, title: `${topic} envelope`, ...z.toJSONSchema(envelopeSchemaFor(topic), { io: 'input' }) };
  }
  return out;
}
