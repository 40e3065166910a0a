/** Quotas that refuse a tenant once its recorded usage (from `ballast.usage.v1`) reaches them. */
export const USAGE_QUOTAS = ['tokensPerMinute', 'usdPerDay', 'usdPerMonth'] as const;
export type UsageQuota = (typeof USAGE_QUOTAS)[number];

/** The UTC window of `quota` that `at` falls in: start and end, epoch milliseconds. */
export function usageWindow(quota: UsageQuota, at: number): { start: number; end: number } {
  const d = new Date(at);
  switch (quota) {
    case 'tokensPerMinute': {
      const start = Math.floor(at / 60_000) * 60_000;
      return { start, end: start + 60_000 };
    }
    case 'usdPerDay': {
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return { start, end: start + 86_400_000 };
    }
    case 'usdPerMonth':
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
}

/**
 * A duration the way OpenAI writes `x-ratelimit-reset-*`: `120ms`, `1s`, `6m0s`, `1h2m3s`
 * (seconds with up to three decimals).
 */
export function openAiDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = Number(((total % 60_000) / 1000).toFixed(3));
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}
