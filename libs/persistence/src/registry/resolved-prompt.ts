import type { ResolvedPrompt } from '#contracts';
import type { ResolvedPromptVersion } from './prompt-registry.repository.js';

/** The part of a resolved version that travels in the pipeline state (`PipelineState.prompt`). */
export function toResolvedPrompt(v: ResolvedPromptVersion): ResolvedPrompt {
  return {
    name: v.name,
    version: v.version,
    label: v.label,
    contentHash: v.contentHash,
    model: v.model,
    params: v.params,
    policies: v.policies,
  };
}
