import { BallastError, ERROR_CODES } from '#contracts';
import type { Tenant } from '#persistence';

/** Refuses (403 `ballast.forbidden`) a registered prompt the tenant's `allowedPrompts` leaves out; null allows every prompt. */
export function checkPromptAllowed(tenant: Pick<Tenant, 'id' | 'allowedPrompts'>, promptName: string): void {
  if (tenant.allowedPrompts === null || tenant.allowedPrompts === undefined || tenant.allowedPrompts.includes(promptName)) return;
  throw new BallastError(
    ERROR_CODES.forbidden,
    `prompt "${promptName}" is not allowed for tenant "${tenant.id}"; an admin sets the tenant's allowed prompts (ballast tenants update ${tenant.id} --allow-prompt <name> ...)`,
    { status: 403 },
  );
}
