import { BallastError, ERROR_CODES } from '#contracts';
import { invalidSelector } from './registry.errors.js';
import { checkShare } from './label-change.js';
import { DEFAULT_LABEL, type LabelOperation, type PromptSelector } from './prompt-registry.repository.js';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/** Checks what both registry implementations accept, so the fake and Postgres reject the same input. */
export function checkLabelChange(label: string, operation: LabelOperation, actor: string): void {
  if (!LABEL.test(label)) invalid(`label '${label}' must be 1-50 letters, digits, '.', '_' or '-'`);
  const version = operationVersion(operation);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) invalid(`version must be a positive integer, got ${version}`);
  if (operation.kind === 'canary_start') checkShare(operation.share);
  if (actor.trim() === '') invalid('actor is required: say who moved the label');
}

/** The version an operation names, which must exist; undefined when it names none. */
export function operationVersion(operation: LabelOperation): number | undefined {
  return 'version' in operation ? operation.version : undefined;
}

/** The label to follow, or null when a version is pinned. */
export function selectorLabel(selector: PromptSelector): string | null {
  if (selector.label !== undefined && selector.version !== undefined) throw invalidSelector();
  return selector.version !== undefined ? null : (selector.label ?? DEFAULT_LABEL);
}

function invalid(message: string): never {
  throw new BallastError(ERROR_CODES.invalidRequest, message, { status: 400 });
}
