import { defineConfig, offPathConsumerConfig, serviceConfig } from '#config';

export const judgeConfig = defineConfig(serviceConfig(offPathConsumerConfig));
