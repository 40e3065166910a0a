import { BallastError, ERROR_CODES, type RegistryEvent } from '#contracts';
import type { LabelTraffic } from '../entities/prompt-label.entity.js';
import type { PromptDefinition, PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import type {
  LabelEvent,
  LabelOperation,
  PromptRegistryRepository,
  PromptSummary,
  PromptVersion,
  PublishResult,
} from './prompt-registry.repository.js';
import { promptNotFound } from './registry.errors.js';

/** Sends registry events (`ballast.registry.v1`); in services, a `Publisher` adapter. */
export interface RegistryEventEmitter {
  emit(event: RegistryEvent): Promise<void>;
}

/** For writers no running service can be listening to yet (seeding a fresh database). */
export const NO_REGISTRY_EVENTS: RegistryEventEmitter = { emit: async () => undefined };

export interface GateVerdict {
  passed: boolean;
  /** Why not, for the refusal message (e.g. which eval run failed). */
  detail: string;
}

/**
 * The promotion gate: whether a version may take traffic on a label. Eval runs implement it; with
 * no gate configured, promotions are not checked (and the result says so).
 */
export interface PromotionGate {
  passes(name: string, version: number): Promise<GateVerdict>;
}

export interface PromoteInput {
  label: string;
  /** Required, except with `finish` (then it must be the running canary's version if given). */
  version?: number;
  actor: string;
  reason?: string | null;
  /** Percent (0-100, exclusive) of requests that get `version` while the rest keep the label's version. */
  canaryPercent?: number;
  /** Makes the running canary's version the whole label. */
  finish?: boolean;
  /** Promotes despite the gate; needs a reason, and the history records it. */
  force?: boolean;
}

export type GateOutcome = 'passed' | 'forced' | 'not_configured' | 'not_checked';

export interface LabelChangeResult {
  /** null: the label already was in the state asked for; nothing recorded or emitted. */
  event: LabelEvent | null;
  gate: GateOutcome;
}

export interface PromptDetails {
  summary: PromptSummary;
  versions: PromptVersion[];
}

/**
 * Every change to the prompt registry: writes through the repository, then emits the matching
 * `RegistryEvent` so running ingress replicas drop their cached look-ups at once. Seed, the admin
 * API and the CLI all go through here.
 */
export class PromptRegistryService {
  constructor(
    private readonly registry: PromptRegistryRepository,
    private readonly events: RegistryEventEmitter,
    private readonly gate: PromotionGate | null = null,
  ) {}

  async publish(def: PromptDefinition | PromptDefinitionInput, options: { actor: string; sourceCommit?: string | null }): Promise<PublishResult> {
    const result = await this.registry.publish(def, { actor: options.actor, sourceCommit: options.sourceCommit ?? null });
    if (result.created) {
      await this.emit({
        kind: 'version_published',
        name: (def as { name: string }).name,
        version: result.version,
        label: null,
        fromVersion: null,
        actor: options.actor,
        reason: null,
      });
    }
    return result;
  }

  /** Moves a label to a version, starts or changes a canary (`canaryPercent`), or finishes one (`finish`). */
  async promote(name: string, input: PromoteInput): Promise<LabelChangeResult> {
    const operation = promoteOperation(input);
    if (input.force && !input.reason?.trim()) {
      throw invalid('force needs a reason: it is recorded in the label history');
    }
    const gate = operation.kind === 'canary_finish' ? 'not_checked' : await this.checkGate(name, operation.version, input.force === true);
    return { event: await this.change(name, input.label, operation, input), gate };
  }

  /** Ends a running canary at once, or moves the label back to its previous version. */
  async rollback(name: string, input: { label: string; actor: string; reason?: string | null }): Promise<LabelChangeResult> {
    return { event: await this.change(name, input.label, { kind: 'rollback' }, input), gate: 'not_checked' };
  }

  /** The label history, oldest first. @throws BallastError `ballast.prompt_not_found` */
  async history(name: string): Promise<LabelEvent[]> {
    await this.details(name);
    return this.registry.listLabelEvents(name);
  }

  list(): Promise<PromptSummary[]> {
    return this.registry.list();
  }

  /** A prompt's labels and every version. @throws BallastError `ballast.prompt_not_found` */
  async details(name: string): Promise<PromptDetails> {
    const [summary, versions] = await Promise.all([this.registry.list().then((all) => all.find((p) => p.name === name)), this.registry.listVersions(name)]);
    if (!summary) throw promptNotFound(name);
    return { summary, versions };
  }

  private async checkGate(name: string, version: number, force: boolean): Promise<GateOutcome> {
    if (!this.gate) return force ? 'forced' : 'not_configured';
    const verdict = await this.gate.passes(name, version);
    if (verdict.passed) return 'passed';
    if (force) return 'forced';
    // An unknown prompt or version is reported as such by the label change, not as a refusal.
    if (!(await this.registry.resolve(name, { version }))) return 'not_checked';
    throw new BallastError(
      ERROR_CODES.promotionRefused,
      `version ${version} of '${name}' has not passed its promotion gate: ${verdict.detail} (or promote with force and a reason)`,
      { status: 409, details: { name, version } },
    );
  }

  private async change(
    name: string,
    label: string,
    operation: LabelOperation,
    input: { actor: string; reason?: string | null; force?: boolean },
  ): Promise<LabelEvent | null> {
    const forced = input.force === true && operation.kind !== 'rollback';
    const event = await this.registry.changeLabel(name, label, operation, { actor: input.actor, reason: input.reason ?? null, forced });
    if (event) await this.emit(registryEventOf(event));
    return event;
  }

  private async emit(event: RegistryEvent): Promise<void> {
    try {
      await this.events.emit(event);
    } catch (cause) {
      throw new BallastError(
        ERROR_CODES.handlerFailed,
        `the registry change is saved, but its event could not be sent (${(cause as Error).message}): ` +
          'running ingress replicas keep the old version until their prompt cache expires',
        { status: 503, cause },
      );
    }
  }
}

/** The `ballast.registry.v1` payload for a recorded label change. */
export function registryEventOf(e: LabelEvent): RegistryEvent {
  return {
    kind: 'label_moved',
    name: e.name,
    version: e.toVersion,
    label: e.label,
    fromVersion: e.fromVersion,
    actor: e.actor,
    reason: e.reason,
    change: e.kind,
    traffic: e.traffic as LabelTraffic | null,
    forced: e.forced,
  };
}

function promoteOperation(input: PromoteInput): Exclude<LabelOperation, { kind: 'rollback' }> {
  if (input.finish) {
    if (input.canaryPercent !== undefined) throw invalid('give either a canary percentage or finish, not both');
    return input.version === undefined ? { kind: 'canary_finish' } : { kind: 'canary_finish', version: input.version };
  }
  if (input.version === undefined) throw invalid('say which version to promote');
  if (input.canaryPercent === undefined) return { kind: 'move', version: input.version };
  if (!(Number.isFinite(input.canaryPercent) && input.canaryPercent > 0 && input.canaryPercent < 100)) {
    throw invalid(`a canary percentage must be above 0 and below 100, got ${input.canaryPercent}`);
  }
  return { kind: 'canary_start', version: input.version, share: input.canaryPercent / 100 };
}

function invalid(message: string): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message, { status: 400 });
}
