import { defineConfig, offPathConsumerConfig, serviceConfig, type Config } from '#config';

export const metricsConfig = defineConfig(serviceConfig(offPathConsumerConfig));
export type MetricsConfig = Config<typeof metricsConfig.schema>;
