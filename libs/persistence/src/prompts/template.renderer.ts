import { BallastError, ERROR_CODES, type ChatMessage } from '#contracts';
import type { PromptTemplate } from './prompt-definition.schema.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
const MISSING = Symbol('missing');

/** The variable paths a template text refers to, in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Replaces `{{name}}` and `{{obj.key}}` with values from `variables`. One pass, own properties
 * only, nothing evaluated: a value that itself contains `{{...}}` is inserted as plain text.
 * Strings go in as they are, `null` as '', other values as JSON.
 *
 * @example renderTemplate('Hi {{user.name}}', { user: { name: 'Ada' } }) // 'Hi Ada'
 * @throws BallastError `ballast.prompt_render_failed` naming every missing variable
 */
export function renderTemplate(text: string, variables: Record<string, unknown>): string {
  const missing: string[] = [];
  const out = substitute(text, variables, missing);
  if (missing.length > 0) throw missingError(missing);
  return out;
}

/** Renders every message of a template; reports all missing variables at once. */
export function renderMessages(template: PromptTemplate, variables: Record<string, unknown>): ChatMessage[] {
  const missing: string[] = [];
  const messages = template.messages.map((m) => ({ role: m.role, content: substitute(m.content, variables, missing) }));
  if (missing.length > 0) throw missingError([...new Set(missing)]);
  return messages;
}

function substitute(text: string, variables: Record<string, unknown>, missing: string[]): string {
  return text.replace(PLACEHOLDER, (whole, path: string) => {
    const value = lookup(variables, path);
    if (value === MISSING) {
      missing.push(path);
      return whole;
    }
    if (value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function lookup(variables: Record<string, unknown>, path: string): unknown {
  let current: unknown = variables;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return MISSING;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? MISSING : current;
}

function missingError(missing: string[]): BallastError {
  const list = missing.map((m) => `'${m}'`).join(', ');
  return new BallastError(ERROR_CODES.promptRenderFailed, `missing template variable ${list}: pass it in "variables"`, {
    status: 400,
    details: { missing },
  });
}
