import { defineConfig, int, serviceConfig } from '#config';

export const cacheConfig = defineConfig(
  serviceConfig({
    CACHE_DEFAULT_TTL_SECONDS: int({ min: 1 }).default(3600),
    CACHE_MAX_ENTRIES: int({ min: 1 }).default(100_000),
  }),
);
