import { defineConfig, serviceConfig } from '#config';

export const judgeConfig = defineConfig(serviceConfig());
