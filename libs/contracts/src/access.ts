import { TOPICS, type TopicName } from './topics.js';

/** The six services; each is one Kafka principal (`User:<name>` unless mapped otherwise). */
export const SERVICES = ['ingress', 'guardrail', 'cache', 'inference', 'judge', 'metrics'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** A consumer group a service joins: a fixed id, or a prefix its replicas append their instance id to. */
export interface GroupAccess {
  id: string;
  prefixed?: boolean;
}

/** What one service does on Kafka: the topics it reads and writes, and the consumer groups it uses. */
export interface ServiceAccess {
  reads: readonly TopicName[];
  writes: readonly TopicName[];
  groups: readonly GroupAccess[];
  /** Groups it only describes (the metrics service reads every shared group's lag). */
  describesGroups?: readonly string[];
}

/**
 * Which service reads and writes which topic: the source of the Kafka ACLs (`npm run kafka:acls`,
 * tools/kafka-acls.ts) and of nothing else. test/service-access.spec.ts checks it against the code:
 * every topic a service's source names is here, the stage controllers' topics and the shared
 * consumer groups match `CONSUMER_GROUPS`, and every pipeline stage may answer (responses) and
 * dead-letter (dlq). Topics a request names in `replyTo` are not in the catalogue and need an ACL
 * of their own for the stage that answers (see docs/operations.md, "Credentials and ACLs").
 */
export const SERVICE_ACCESS: Readonly<Record<ServiceName, ServiceAccess>> = {
  ingress: {
    // requests: the Kafka entry point; responses: HTTP waiters; usage: tenant limits; registry: prompt
    // cache invalidation; chunks: streamed answers.
    reads: [TOPICS.requests, TOPICS.responses, TOPICS.usage, TOPICS.registry, TOPICS.chunks],
    writes: [TOPICS.guardInput, TOPICS.responses, TOPICS.cacheAdmin, TOPICS.registry, TOPICS.streamCancels, TOPICS.dlq],
    groups: [
      { id: 'ingress' },
      { id: 'ingress-usage' },
      { id: 'ingress-replica-', prefixed: true },
      { id: 'ingress-registry-', prefixed: true },
      { id: 'ingress-chunks-', prefixed: true },
    ],
  },
  guardrail: {
    reads: [TOPICS.guardInput, TOPICS.guardOutput, TOPICS.modelChunks],
    writes: [TOPICS.cacheLookup, TOPICS.inference, TOPICS.responses, TOPICS.chunks, TOPICS.usage, TOPICS.dlq],
    groups: [{ id: 'guardrail' }],
  },
  cache: {
    reads: [TOPICS.cacheLookup, TOPICS.responses, TOPICS.cacheAdmin],
    writes: [TOPICS.inference, TOPICS.guardOutput, TOPICS.responses, TOPICS.usage, TOPICS.dlq],
    groups: [{ id: 'cache' }],
  },
  inference: {
    reads: [TOPICS.inference, TOPICS.streamCancels],
    writes: [TOPICS.guardOutput, TOPICS.modelChunks, TOPICS.responses, TOPICS.usage, TOPICS.dlq],
    groups: [{ id: 'inference' }, { id: 'inference-cancels-', prefixed: true }],
  },
  judge: {
    reads: [TOPICS.responses],
    writes: [TOPICS.qualityScores, TOPICS.usage, TOPICS.dlq],
    groups: [{ id: 'judge' }],
  },
  metrics: {
    reads: [TOPICS.responses, TOPICS.usage, TOPICS.qualityScores, TOPICS.dlq],
    writes: [TOPICS.alerts, TOPICS.dlq],
    groups: [{ id: 'metrics' }, { id: 'metrics-dlq' }],
    describesGroups: ['ingress', 'ingress-usage', 'guardrail', 'cache', 'inference', 'judge', 'metrics', 'metrics-dlq'],
  },
};

/** One Kafka ACL binding (allow only: everything not allowed is denied by the authorizer). */
export interface KafkaAcl {
  principal: string;
  resourceType: 'TOPIC' | 'GROUP';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operation: 'READ' | 'WRITE' | 'DESCRIBE';
}

/** The prefix every catalogue topic shares: services may see (describe) all of them, nothing else. */
export const TOPIC_PREFIX = 'ballast.';

/**
 * The allow-list for every service principal: READ on its input topics and its groups, WRITE on its
 * output topics, DESCRIBE on the catalogue's topics (start-up checks they exist; describing reveals
 * names and partitions, no records). Topics are created by the operator (the chart's topic Job or
 * `kafka.sh up --secure`), so no service gets CREATE.
 */
export function serviceAcls(principalOf: (service: ServiceName) => string = (s) => `User:${s}`): KafkaAcl[] {
  const acls: KafkaAcl[] = [];
  for (const service of SERVICES) {
    const access = SERVICE_ACCESS[service];
    const principal = principalOf(service);
    acls.push({ principal, resourceType: 'TOPIC', resourceName: TOPIC_PREFIX, patternType: 'PREFIXED', operation: 'DESCRIBE' });
    for (const topic of access.reads) acls.push({ principal, resourceType: 'TOPIC', resourceName: topic, patternType: 'LITERAL', operation: 'READ' });
    for (const topic of access.writes) acls.push({ principal, resourceType: 'TOPIC', resourceName: topic, patternType: 'LITERAL', operation: 'WRITE' });
    for (const group of access.groups) {
      acls.push({ principal, resourceType: 'GROUP', resourceName: group.id, patternType: group.prefixed ? 'PREFIXED' : 'LITERAL', operation: 'READ' });
    }
    for (const group of access.describesGroups ?? []) {
      acls.push({ principal, resourceType: 'GROUP', resourceName: group, patternType: 'LITERAL', operation: 'DESCRIBE' });
    }
  }
  return acls;
}

/**
 * The lag reader KEDA's Kafka scalers connect as (the chart's `kafka.kedaTriggerAuthentication`):
 * DESCRIBE on the shared consumer groups (committed offsets) and on the catalogue's topics (end offsets),
 * nothing else.
 */
export function lagReaderAcls(principal: string): KafkaAcl[] {
  return [
    { principal, resourceType: 'TOPIC', resourceName: TOPIC_PREFIX, patternType: 'PREFIXED', operation: 'DESCRIBE' },
    ...(SERVICE_ACCESS.metrics.describesGroups ?? []).map(
      (group): KafkaAcl => ({ principal, resourceType: 'GROUP', resourceName: group, patternType: 'LITERAL', operation: 'DESCRIBE' }),
    ),
  ];
}
