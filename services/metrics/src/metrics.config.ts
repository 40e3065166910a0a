import { defineConfig, serviceConfig } from '#config';

export const metricsConfig = defineConfig(serviceConfig());
