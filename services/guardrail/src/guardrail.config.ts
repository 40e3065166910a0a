import { defineConfig, int, serviceConfig } from '#config';
import { z } from 'zod';
import { loadInjectionModel } from './detectors/injection/classifier/injection-classifier.js';
import { ModelDetectorConfig } from './detectors/model/http.model-detectors.js';

/** Kept as text (`modelDetectorsFrom` reads it), but checked at start-up so a bad list stops the service. */
const modelDetectorList = () =>
  z.string().superRefine((raw, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON list of model detectors (see docs/guardrails.md)' });
      return;
    }
    const parsed = ModelDetectorConfig.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', message: `expected a list of model detectors: ${issue.path.join('.') || '(root)'}: ${issue.message}` });
    }
  });

/** A weights file for the injection classifier, read and checked at start-up (the shipped one when unset). */
const injectionModelFile = () =>
  z
    .string()
    .min(1)
    .optional()
    .superRefine((path, ctx) => {
      try {
        loadInjectionModel(path);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });

export const guardrailConfig = defineConfig(
  serviceConfig({
    GUARDRAIL_MAX_INPUT_CHARS: int({ min: 1 }).default(200_000),
    GUARDRAIL_MAX_VARIABLE_CHARS: int({ min: 1 }).default(100_000),
    /** JSON list of model detectors prompts may name: [{"name","kind":"openai-moderation|classifier|chat-classifier","url","apiKeyEnv?","model?"}]. */
    GUARDRAIL_MODEL_DETECTORS: modelDetectorList().optional(),
    /** Default time box for one model-detector call. */
    GUARDRAIL_MODEL_TIMEOUT_MS: int({ min: 10, max: 30_000 }).default(500),
    /** Path of the injection classifier's weights (`npm run guard:train -- --out`); the shipped services/guardrail/data/injection-classifier.json when unset. */
    GUARDRAIL_INJECTION_MODEL: injectionModelFile(),
  }),
);
export type GuardrailConfig = ReturnType<typeof guardrailConfig.load>;
