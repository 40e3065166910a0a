import { defineConfig, offPathConsumerConfig, serviceConfig } from '#config';

export const metricsConfig = defineConfig(serviceConfig(offPathConsumerConfig));
