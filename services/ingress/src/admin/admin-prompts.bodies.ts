import { BallastError, ERROR_CODES } from '#contracts';
import { z } from 'zod';

const Reason = z.string().trim().min(1).max(500);
const Label = z.string().min(1).max(50);

/** `POST /v1/admin/prompts/:name/promote` */
export const PromoteBody = z.strictObject({
  label: Label,
  version: z.number().int().positive().optional(),
  reason: Reason.optional(),
  /** Percent of requests (0-100, exclusive) that get `version` while the rest keep the label's version. */
  canary: z.number().gt(0).lt(100).optional(),
  finish: z.boolean().optional(),
  force: z.boolean().optional(),
});
export type PromoteBody = z.infer<typeof PromoteBody>;

/** `POST /v1/admin/prompts/:name/rollback` */
export const RollbackBody = z.strictObject({ label: Label, reason: Reason.optional() });
export type RollbackBody = z.infer<typeof RollbackBody>;

/** Parses an admin request body. @throws BallastError `ballast.invalid_request` naming the field */
export function parseAdminBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new BallastError(ERROR_CODES.invalidRequest, `${field}: ${issue.message}`, { status: 400 });
}
