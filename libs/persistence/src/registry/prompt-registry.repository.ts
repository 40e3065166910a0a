import type { ResponseFormat } from '#contracts';
import type {
  PromptDefinition,
  PromptDefinitionInput,
  PromptParams,
  PromptPolicySet,
  PromptTemplate,
} from '../prompts/prompt-definition.schema.js';

export const DEFAULT_LABEL = 'production';

/** One immutable, published version of a prompt. */
export interface PromptVersion {
  name: string;
  version: number;
  contentHash: string;
  template: PromptTemplate;
  model: string;
  params: PromptParams;
  responseFormat: ResponseFormat | null;
  policies: PromptPolicySet;
  createdAt: Date;
  createdBy: string;
  sourceCommit: string | null;
}

/** A version as a request resolved it: `label` is the label it came through, null for a pinned version. */
export interface ResolvedPromptVersion extends PromptVersion {
  label: string | null;
}

export interface PublishOptions {
  /** Who published (a user, `ci`, `seed`); defaults to `system`. */
  actor?: string;
  sourceCommit?: string | null;
}

export interface PublishResult {
  version: number;
  /** false when identical content was already published: nothing was written. */
  created: boolean;
  contentHash: string;
}

export type PromptSelector = { label?: string; version?: never } | { version: number; label?: never };

/** One entry of the append-only label history. `fromVersion` is null for a label's first placement. */
export interface LabelEvent {
  id: number;
  name: string;
  label: string;
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string | null;
  createdAt: Date;
}

export interface PromptSummary {
  name: string;
  createdAt: Date;
  latestVersion: number;
  /** label -> version */
  labels: Record<string, number>;
}

/**
 * The prompt registry port. Versions are immutable; labels are movable pointers whose every move
 * is recorded. Callers emit `ballast.registry.v1` from the results.
 */
export interface PromptRegistryRepository {
  /**
   * Publishes `def` as the next version of its prompt, or returns the existing version when the same
   * content (template, model, params, policies, response format) was published before.
   */
  publish(def: PromptDefinition | PromptDefinitionInput, options?: PublishOptions): Promise<PublishResult>;
  /** The version a label (default `production`) points at, or a pinned version; null when absent. */
  resolve(name: string, selector?: PromptSelector): Promise<ResolvedPromptVersion | null>;
  /**
   * Points `label` at `version` and records who did it and why. Rollback is a move back.
   * Returns null when the label already points there (nothing recorded).
   *
   * @throws BallastError `ballast.prompt_not_found` for an unknown prompt or version
   */
  moveLabel(name: string, label: string, version: number, actor: string, reason?: string | null): Promise<LabelEvent | null>;
  /** The label history of a prompt, oldest first. */
  listLabelEvents(name: string): Promise<LabelEvent[]>;
  /** Every prompt with its latest version and labels, by name. */
  list(): Promise<PromptSummary[]>;
}
