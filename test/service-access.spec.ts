// SERVICE_ACCESS (libs/contracts/src/access.ts) is the source of the Kafka ACLs: if it missed a topic a
// service uses, that service would be refused in secure mode; if it granted more, a leaked credential
// would reach more. These checks tie it to the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lagReaderAcls, SERVICE_ACCESS, SERVICES, TOPICS, serviceAcls, type KafkaAcl, type ServiceName } from '#contracts';
import { CONSUMER_GROUPS } from '../services/metrics/src/lag/consumer-groups.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

// The lag monitor's group list names every shared group's topics only to describe their offsets.
const DESCRIBE_ONLY = join('services', 'metrics', 'src', 'lag', 'consumer-groups.ts');
const source = (service: ServiceName) =>
  sourceFiles(`services/${service}/src`)
    .filter((f) => f !== DESCRIBE_ONLY)
    .map((f) => readFileSync(f, 'utf8')).join('\n');
const topicOf = (key: string) => (TOPICS as Record<string, string>)[key]!;
const acls = serviceAcls();
const allowed = (principal: string, operation: KafkaAcl['operation'], resourceType: KafkaAcl['resourceType'], name: string) =>
  acls.some(
    (a) =>
      a.principal === principal &&
      a.resourceType === resourceType &&
      (a.operation === operation || (operation === 'DESCRIBE' && (a.operation === 'READ' || a.operation === 'WRITE'))) &&
      (a.patternType === 'LITERAL' ? a.resourceName === name : name.startsWith(a.resourceName)),
  );

describe('SERVICE_ACCESS against the code', () => {
  it.each(SERVICES)('%s: every catalogue topic its source names is one it reads or writes', (service) => {
    const named = new Set([...source(service).matchAll(/TOPICS\.([a-zA-Z]+)/g)].map((m) => topicOf(m[1]!)).filter(Boolean));
    const access = SERVICE_ACCESS[service];
    const granted = new Set<string>([...access.reads, ...access.writes]);
    expect([...named].filter((t) => !granted.has(t))).toEqual([]);
  });

  it.each(Object.entries(CONSUMER_GROUPS))('shared group %s: its service joins it and reads its topics', (group, topics) => {
    const owners = SERVICES.filter((s) => SERVICE_ACCESS[s].groups.some((g) => !g.prefixed && g.id === group));
    expect(owners).toHaveLength(1);
    expect(topics.filter((t) => !SERVICE_ACCESS[owners[0]!].reads.includes(t))).toEqual([]);
  });

  it.each(SERVICES.flatMap((s) => SERVICE_ACCESS[s].groups.filter((g) => g.prefixed).map((g) => [s, g.id] as const)))(
    '%s: per-replica group prefix %s is the one its listener uses',
    (service, prefix) => {
      expect(source(service)).toContain(`groupId: \`${prefix}\${`);
    },
  );

  it('every stage consuming the pipeline may answer and dead-letter (a failed request is answered on responses, a bad record goes to the DLQ)', () => {
    for (const s of SERVICES) {
      expect(SERVICE_ACCESS[s].writes).toContain(TOPICS.dlq);
      if (SERVICE_ACCESS[s].reads.some((t) => [TOPICS.guardInput, TOPICS.cacheLookup, TOPICS.inference, TOPICS.guardOutput].includes(t as never))) {
        expect(SERVICE_ACCESS[s].writes).toContain(TOPICS.responses);
      }
    }
  });

  it('every topic someone reads has a writer, except the requests topic that clients outside Ballast write', () => {
    const written = new Set(SERVICES.flatMap((s) => SERVICE_ACCESS[s].writes));
    const read = new Set(SERVICES.flatMap((s) => SERVICE_ACCESS[s].reads));
    expect([...read].filter((t) => !written.has(t))).toEqual([TOPICS.requests]);
  });
});

describe('the derived ACL set', () => {
  it('ingress cannot read the guardrail input, nor write model output; guardrail cannot read requests or join the ingress group', () => {
    expect(allowed('User:ingress', 'READ', 'TOPIC', TOPICS.guardInput)).toBe(false);
    expect(allowed('User:ingress', 'WRITE', 'TOPIC', TOPICS.guardInput)).toBe(true);
    expect(allowed('User:ingress', 'WRITE', 'TOPIC', TOPICS.guardOutput)).toBe(false);
    expect(allowed('User:guardrail', 'READ', 'TOPIC', TOPICS.guardInput)).toBe(true);
    expect(allowed('User:guardrail', 'READ', 'TOPIC', TOPICS.requests)).toBe(false);
    expect(allowed('User:guardrail', 'READ', 'GROUP', 'ingress')).toBe(false);
    expect(allowed('User:ingress', 'READ', 'GROUP', 'ingress-replica-pod-7')).toBe(true);
    expect(allowed('User:cache', 'READ', 'GROUP', 'ingress-replica-pod-7')).toBe(false);
  });

  it('only metrics reads the dead letters and writes alerts; the judge reads responses only', () => {
    expect(SERVICES.filter((s) => allowed(`User:${s}`, 'READ', 'TOPIC', TOPICS.dlq))).toEqual(['metrics']);
    expect(SERVICES.filter((s) => allowed(`User:${s}`, 'WRITE', 'TOPIC', TOPICS.alerts))).toEqual(['metrics']);
    expect(acls.filter((a) => a.principal === 'User:judge' && a.operation === 'READ' && a.resourceType === 'TOPIC').map((a) => a.resourceName)).toEqual([TOPICS.responses]);
  });

  it('grants only READ, WRITE and DESCRIBE, never on the cluster or a wildcard, and describes only catalogue topics', () => {
    expect(new Set(acls.map((a) => a.operation))).toEqual(new Set(['READ', 'WRITE', 'DESCRIBE']));
    expect(acls.every((a) => a.resourceName !== '*' && a.resourceName !== '')).toBe(true);
    expect(acls.filter((a) => a.patternType === 'PREFIXED' && a.resourceType === 'TOPIC').map((a) => `${a.operation} ${a.resourceName}`)).toEqual(SERVICES.map(() => 'DESCRIBE ballast.'));
    expect(allowed('User:ingress', 'READ', 'TOPIC', '__consumer_offsets')).toBe(false);
  });

  it("the lag reader (KEDA) describes every shared group and the catalogue's topics, and reads nothing", () => {
    const keda = lagReaderAcls('User:keda');
    expect(new Set(keda.map((a) => a.operation))).toEqual(new Set(['DESCRIBE']));
    expect(keda.filter((a) => a.resourceType === 'GROUP').map((a) => a.resourceName).sort()).toEqual(Object.keys(CONSUMER_GROUPS).sort());
  });

  it('principals follow the pattern given', () => {
    expect(new Set(serviceAcls((s) => `User:ballast-${s}`).map((a) => a.principal))).toEqual(new Set(SERVICES.map((s) => `User:ballast-${s}`)));
  });
});
