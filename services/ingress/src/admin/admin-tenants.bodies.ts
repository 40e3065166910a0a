import { z } from 'zod';
import { REQUEST_BURST, REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND } from '../limits/tenant-rate.limiter.js';

const TenantId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, _ and - (max 100), starting with a letter or digit');
const Name = z.string().trim().min(1).max(200);
const Models = z.array(z.string().min(1).max(200)).max(200);
const Prompts = z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'a prompt name')).max(500).nullable();
const Whole = z.number().int().min(0).max(1e12);
const Amount = z.number().min(0).max(1e12);

/** The limits ingress enforces (docs/tenants.md); any other name is refused so a typo cannot pass for a limit. */
export const Quotas = z.strictObject({
  [REQUESTS_PER_SECOND]: Amount.optional(),
  [REQUEST_BURST]: Whole.optional(),
  [REQUESTS_PER_MINUTE]: Whole.optional(),
  tokensPerMinute: Whole.optional(),
  usdPerDay: Amount.optional(),
  usdPerMonth: Amount.optional(),
});

/** `POST /v1/admin/tenants` */
export const CreateTenantBody = z.strictObject({
  id: TenantId,
  name: Name.optional(),
  allowedModels: Models.optional(),
  /** null or absent: every registered prompt. */
  allowedPrompts: Prompts.optional(),
  quotas: Quotas.optional(),
});

/** `PATCH /v1/admin/tenants/:id`: fields given replace the stored ones; in `quotas`, a null removes that limit and others are kept. */
export const UpdateTenantBody = z.strictObject({
  name: Name.optional(),
  allowedModels: Models.optional(),
  allowedPrompts: Prompts.optional(),
  quotas: z
    .strictObject(Object.fromEntries(Object.entries(Quotas.shape).map(([k, v]) => [k, v.unwrap().nullable().optional()])) as { [K in keyof typeof Quotas.shape]: z.ZodOptional<z.ZodNullable<z.ZodNumber>> })
    .optional(),
});

/** `POST /v1/admin/tenants/:id/keys` */
export const IssueKeyBody = z.strictObject({ label: z.string().trim().min(1).max(100).optional() });
