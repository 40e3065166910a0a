import { z } from 'zod';

const PROMPT_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const TENANT_ID = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * An operator's order to delete a prompt's cached answers (optionally one version, optionally one
 * tenant's) from the exact layer and the semantic store, expired or not. `ballast.cache-admin.v1`
 * carries it from the admin API to the cache stage.
 */
export const CachePurge = z.object({
  promptName: z.string().min(1).max(100).regex(PROMPT_NAME),
  promptVersion: z.number().int().positive().nullable(),
  tenantId: z.string().min(1).max(100).regex(TENANT_ID).nullable(),
  actor: z.string().min(1).max(100),
});
export type CachePurge = z.infer<typeof CachePurge>;

/**
 * Reads `name` or `name@version` (what `ballast cache purge --prompt` and
 * `DELETE /v1/admin/cache?prompt=` take); null when it is neither.
 *
 * @example parsePromptSelector('support-answer@3') // { promptName: 'support-answer', promptVersion: 3 }
 */
export function parsePromptSelector(raw: string): { promptName: string; promptVersion: number | null } | null {
  const match = /^([^@\s]{1,100})(?:@([1-9]\d{0,8}))?$/.exec(raw.trim());
  if (!match || !PROMPT_NAME.test(match[1]!)) return null;
  return { promptName: match[1]!, promptVersion: match[2] ? Number(match[2]) : null };
}

/** Whether `raw` can name a tenant (lower-case letters, digits, _ and -). */
export function isTenantId(raw: string): boolean {
  return raw.length <= 100 && TENANT_ID.test(raw);
}
