import { defineConfig, offPathConsumerConfig, serviceConfig, type Config } from '#config';

export const judgeConfig = defineConfig(serviceConfig(offPathConsumerConfig));
export type JudgeConfig = Config<typeof judgeConfig.schema>;
