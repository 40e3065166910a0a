import { defineConfig, int, serviceConfig } from '#config';

export const cacheConfig = defineConfig(
  serviceConfig({
    CACHE_DEFAULT_TTL_SECONDS: int({ min: 1 }).default(3600),
    CACHE_MAX_ENTRIES: int({ min: 1 }).default(100_000),
    // Bounds how long a replica may serve an answer another replica's refresh replaced.
    CACHE_LRU_TTL_SECONDS: int({ min: 1, max: 300 }).default(10),
  }),
);
