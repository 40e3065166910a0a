import { BallastError, ERROR_CODES } from '#contracts';
import type { LabelTraffic } from '../entities/prompt-label.entity.js';
import type { LabelChangeKind, LabelEvent, LabelOperation, LabelState } from './prompt-registry.repository.js';
import { labelNotFound, registryConflict } from './registry.errors.js';

/** The changes that put a new version on the label itself (a canary start leaves the label's own version). */
export const PROMOTING_CHANGES: LabelChangeKind[] = ['move', 'canary_finish', 'rollback'];

/** What a label change writes: the label's next state and the history entry's from/to. */
export interface PlannedLabelChange {
  kind: LabelChangeKind;
  fromVersion: number | null;
  toVersion: number;
  traffic: LabelTraffic | null;
}

/**
 * Plans `operation` on a label from its current state and its history (oldest first); both
 * registry implementations write exactly what this returns, so they cannot disagree. Null: the
 * label is already where the operation would put it.
 *
 * Rollback ends a running canary (the label keeps its own version); otherwise it goes back to the
 * version the label had before its current one, skipping versions earlier rollbacks left.
 */
export function planLabelChange(
  name: string,
  label: string,
  current: LabelState | null,
  history: readonly Pick<LabelEvent, 'kind' | 'fromVersion' | 'toVersion'>[],
  operation: LabelOperation,
): PlannedLabelChange | null {
  const from = current?.version ?? null;
  switch (operation.kind) {
    case 'move':
      if (current && current.version === operation.version && current.traffic === null) return null;
      return { kind: 'move', fromVersion: from, toVersion: operation.version, traffic: null };
    case 'canary_start': {
      checkShare(operation.share);
      if (!current) throw registryConflict(`label '${label}' of '${name}' has no version yet: promote one without a canary first`);
      if (current.version === operation.version) {
        throw registryConflict(`version ${operation.version} is already what '${label}' of '${name}' points at: a canary needs another version`);
      }
      const traffic = { version: operation.version, share: operation.share };
      if (current.traffic?.version === traffic.version && current.traffic.share === traffic.share) return null;
      return { kind: 'canary_start', fromVersion: from, toVersion: current.version, traffic };
    }
    case 'canary_finish':
      if (!current?.traffic) throw registryConflict(`label '${label}' of '${name}' has no canary running: nothing to finish`);
      if (operation.version !== undefined && operation.version !== current.traffic.version) {
        throw registryConflict(`the canary on label '${label}' of '${name}' runs version ${current.traffic.version}, not ${operation.version}`);
      }
      return { kind: 'canary_finish', fromVersion: from, toVersion: current.traffic.version, traffic: null };
    case 'rollback': {
      if (!current) throw labelNotFound(name, label);
      if (current.traffic) return { kind: 'rollback', fromVersion: from, toVersion: current.version, traffic: null };
      const previous = versionStack(history).at(-2);
      if (previous === undefined) {
        throw registryConflict(`label '${label}' of '${name}' has no earlier version to roll back to: promote the version you want instead`, {
          version: current.version,
        });
      }
      return { kind: 'rollback', fromVersion: from, toVersion: previous, traffic: null };
    }
  }
}

/** The versions a label was moved through, with the ones rollbacks left taken off the top. */
function versionStack(history: readonly Pick<LabelEvent, 'kind' | 'fromVersion' | 'toVersion'>[]): number[] {
  const stack: number[] = [];
  for (const e of history) {
    if (e.kind === 'move' || e.kind === 'canary_finish') stack.push(e.toVersion);
    else if (e.kind === 'rollback' && e.fromVersion !== e.toVersion) {
      stack.pop();
      if (stack.at(-1) !== e.toVersion) stack.push(e.toVersion);
    }
  }
  return stack;
}

/** A canary share is a fraction strictly between 0 and 1. */
export function checkShare(share: number): void {
  if (!(Number.isFinite(share) && share > 0 && share < 1)) {
    throw new BallastError(ERROR_CODES.invalidRequest, `a canary share must be between 0 and 1 (exclusive), got ${share}`, { status: 400 });
  }
}
