import type { ResponseFormat } from '#contracts';
import type { LabelTraffic } from '../entities/prompt-label.entity.js';
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

/** What a label change did: `move` (promote), `canary_start` (split set or changed), `canary_finish`, `rollback`. */
export type LabelChangeKind = 'move' | 'canary_start' | 'canary_finish' | 'rollback';

/**
 * One entry of the append-only label history. `fromVersion` is null for a label's first placement;
 * `toVersion` is the label's own version after the change and `traffic` its canary split after it.
 */
export interface LabelEvent {
  id: number;
  name: string;
  label: string;
  kind: LabelChangeKind;
  fromVersion: number | null;
  toVersion: number;
  traffic: LabelTraffic | null;
  actor: string;
  reason: string | null;
  /** The promotion gate was overridden. */
  forced: boolean;
  createdAt: Date;
}

/** Where a label points now: its own version and, during a canary, the split. */
export interface LabelState {
  label: string;
  version: number;
  traffic: LabelTraffic | null;
}

/** A change to a label, planned by `planLabelChange` against the label's state and history. */
export type LabelOperation =
  | { kind: 'move'; version: number }
  | { kind: 'canary_start'; version: number; share: number }
  | { kind: 'canary_finish'; version?: number }
  | { kind: 'rollback' };

export interface LabelChangeOptions {
  actor: string;
  reason?: string | null;
  forced?: boolean;
}

/** A label resolved with its split, for callers that pick per request (`chooseVersion`). */
export interface LabelResolution {
  label: string;
  version: PromptVersion;
  canary: { version: PromptVersion; share: number } | null;
  /** When the label last moved to its own version (move, canary finish, rollback); null when no event says. */
  promotedAt: Date | null;
}

export interface PromptSummary {
  name: string;
  createdAt: Date;
  latestVersion: number;
  /** label -> version */
  labels: Record<string, number>;
  /** label -> canary split, for labels that have one */
  canaries: Record<string, LabelTraffic>;
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
  /**
   * The version a label (default `production`) points at, or a pinned version; null when absent.
   * A label's canary split is not applied here: `resolveLabel` returns it.
   */
  resolve(name: string, selector?: PromptSelector): Promise<ResolvedPromptVersion | null>;
  /**
   * Points `label` at `version` and records who did it and why. Rollback is a move back.
   * Returns null when the label already points there (nothing recorded).
   *
   * @throws BallastError `ballast.prompt_not_found` for an unknown prompt or version
   */
  moveLabel(name: string, label: string, version: number, actor: string, reason?: string | null): Promise<LabelEvent | null>;
  /**
   * Applies `operation` to a label under the prompt's lock, so concurrent changes of one label are
   * serialised and each is recorded against the state the one before it left. Returns null when the
   * label is already in the state asked for (nothing recorded).
   *
   * @throws BallastError `ballast.prompt_not_found` (prompt, version or label), `ballast.registry_conflict`
   */
  changeLabel(name: string, label: string, operation: LabelOperation, options: LabelChangeOptions): Promise<LabelEvent | null>;
  /** A label with both versions of its canary split; null when the prompt has no such label. */
  resolveLabel(name: string, label: string): Promise<LabelResolution | null>;
  /** Every published version of a prompt, oldest first; empty for an unknown prompt. */
  listVersions(name: string): Promise<PromptVersion[]>;
  /** The label history of a prompt, oldest first. */
  listLabelEvents(name: string): Promise<LabelEvent[]>;
  /** Every prompt with its latest version and labels, by name. */
  list(): Promise<PromptSummary[]>;
}
