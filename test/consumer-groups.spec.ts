// CONSUMER_GROUPS (what ballast_consumer_lag reports) must name exactly the topics each service's
// stage controller consumes, or the lag of a topic would be missing or made up.
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { TOPICS } from '#contracts';
import { CONSUMER_GROUPS } from '../services/metrics/src/lag/consumer-groups.js';
import { CacheController } from '../services/cache/src/cache.controller.js';
import { GuardrailController } from '../services/guardrail/src/guardrail.controller.js';
import { InferenceController } from '../services/inference/src/inference.controller.js';
import { USAGE_GROUP } from '../services/ingress/src/limits/usage.recorder.js';
import { RequestsTopicController } from '../services/ingress/src/submit/requests-topic.controller.js';
import { JudgeController } from '../services/judge/src/judge.controller.js';
import { MetricsStageController } from '../services/metrics/src/metrics.controller.js';

/** The topics a stage controller's `@OnTopic` handlers consume (Nest's event-pattern metadata). */
function consumedTopics(controller: abstract new (...args: never[]) => unknown): string[] {
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .flatMap((name) => (Reflect.getMetadata(PATTERN_METADATA, proto[name] as object) as string[] | undefined) ?? [])
    .sort();
}

describe('CONSUMER_GROUPS', () => {
  it.each([
    ['ingress', RequestsTopicController],
    ['guardrail', GuardrailController],
    ['cache', CacheController],
    ['inference', InferenceController],
    ['judge', JudgeController],
    ['metrics', MetricsStageController],
  ] as const)('%s: the topics its stage controller consumes', (group, controller) => {
    expect([...CONSUMER_GROUPS[group]!].sort()).toEqual(consumedTopics(controller));
  });

  it('names the dead-letter counter of the metrics service, and nothing else', () => {
    expect(CONSUMER_GROUPS['metrics-dlq']).toEqual([TOPICS.dlq]);
    expect(Object.keys(CONSUMER_GROUPS).sort()).toEqual(['cache', 'guardrail', 'inference', 'ingress', 'ingress-usage', 'judge', 'metrics', 'metrics-dlq']);
  });

  it('names the usage recorder of ingress with the topic it consumes', () => {
    expect(CONSUMER_GROUPS[USAGE_GROUP]).toEqual([TOPICS.usage]);
  });
});
