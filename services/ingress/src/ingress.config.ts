import { z } from 'zod';
import { defineConfig, durationMs, int, serviceConfig, type Config } from '#config';

export const ingressConfig = defineConfig(
  serviceConfig(
    {
      INGRESS_DEFAULT_TIMEOUT_MS: durationMs().default(30_000),
      INGRESS_MAX_TIMEOUT_MS: durationMs().default(600_000),
      INGRESS_DEFAULT_MAX_TOKENS: int({ min: 1 }).default(512),
      INGRESS_MAX_BODY_BYTES: int({ min: 1_024 }).default(1_048_576),
      /** Distinguishes replicas; each has its own consumer group for outcomes. Defaults to the host name. */
      INGRESS_INSTANCE_ID: z.string().min(1).optional(),
      /** The bearer key of the admin API (`/v1/admin/prompts`); unset, the admin API answers 404. */
      BALLAST_ADMIN_KEY: z.string().min(16, 'use at least 16 characters').optional(),
    },
    { requiredInDistributed: ['DATABASE_URL'] },
  ),
);
export type IngressConfig = Config<typeof ingressConfig.schema>;
