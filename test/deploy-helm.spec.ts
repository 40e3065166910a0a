// The Helm chart deploy/helm/ballast, rendered by the real (pinned) helm and validated against the
// Kubernetes, KEDA and Prometheus Operator schemas, with default and production-like values. There
// is no cluster here, so what `helm install` would trip over is checked from the rendered manifests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ALL_TOPICS } from '../libs/contracts/src/topics.js';
import { CONSUMER_GROUPS } from '../services/metrics/src/lag/consumer-groups.js';
import { cacheConfig } from '../services/cache/src/cache.config.js';
import { guardrailConfig } from '../services/guardrail/src/guardrail.config.js';
import { inferenceConfig } from '../services/inference/src/inference.config.js';
import { ingressConfig } from '../services/ingress/src/ingress.config.js';
import { judgeConfig } from '../services/judge/src/judge.config.js';
import { metricsConfig } from '../services/metrics/src/metrics.config.js';

jest.setTimeout(120_000);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHART = join(ROOT, 'deploy/helm/ballast');
const PRODUCTION = join(CHART, 'ci/production-values.yaml');
const SERVICES = ['ingress', 'guardrail', 'cache', 'inference', 'judge', 'metrics'] as const;
type ServiceName = (typeof SERVICES)[number];
const SCHEMAS: Record<ServiceName, z.ZodType> = {
  ingress: ingressConfig.schema,
  guardrail: guardrailConfig.schema,
  cache: cacheConfig.schema,
  inference: inferenceConfig.schema,
  judge: judgeConfig.schema,
  metrics: metricsConfig.schema,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests of many shapes
type Obj = Record<string, any>;

/** A model class of kubernetes-models: constructed from a manifest, `validate()` throws what is wrong. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each class takes its own manifest type
type Model = new (data: any) => { validate(): void };
/** The validator for each kind the chart may render; a kind without one fails the test. */
const VALIDATORS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** The pinned helm (scripts/helm.sh); built once from the Go module proxy when a clone has none yet. */
function helmBinary(): string {
  const path = spawnSync('bash', [join(ROOT, 'scripts/helm.sh'), 'path'], { encoding: 'utf8' });
  if (path.status === 0) return path.stdout.trim();
  execFileSync('bash', [join(ROOT, 'scripts/helm.sh'), 'install'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  return execFileSync('bash', [join(ROOT, 'scripts/helm.sh'), 'path'], { encoding: 'utf8' }).trim();
}

let helm: string;
let scratch: string;

interface Rendered {
  ok: boolean;
  error: string;
  objects: Obj[];
}

/** `helm template` with value files and `--set` pairs; the values are written to a file, never a shell. */
function render(values: Obj[] = [], files: string[] = [], release = 'prod'): Rendered {
  const args = ['template', release, CHART, '--namespace', 'ballast'];
  for (const file of files) args.push('-f', file);
  values.forEach((v, i) => {
    const file = join(scratch, `values-${process.hrtime.bigint()}-${i}.json`);
    writeFileSync(file, JSON.stringify(v));
    args.push('-f', file);
  });
  const run = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // helm notes the files/ symlinks to deploy/grafana and deploy/prometheus on stderr; that is not an error.
  const error = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('found symbolic link')).join('\n');
  const objects = run.status === 0 ? parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null) : [];
  return { ok: run.status === 0, error, objects };
}

function validationErrors(objects: Obj[]): string[] {
  return objects.flatMap((o) => {
    const key = `${o.apiVersion}/${o.kind}`;
    const Model = VALIDATORS[key];
    if (!Model) return [`${key} ${o.metadata?.name}: no schema to validate it against`];
    try {
      new Model(o).validate();
      return [];
    } catch (error) {
      return [`${key} ${o.metadata?.name}: ${(error as Error).message}`];
    }
  });
}

const valuesOf = (file: string) => parse(readFileSync(file, 'utf8')) as Obj;
const defaults = valuesOf(join(CHART, 'values.yaml'));
/** ci/production-values.yaml over values.yaml, as helm merges them (lists replace, maps merge). */
function merged(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? merged(base[k] as Obj, v as Obj) : v;
  return out;
}
const production = merged(defaults, valuesOf(PRODUCTION));
const fullname = 'prod-ballast';
const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const componentOf = (o: Obj) => o.metadata.labels?.['app.kubernetes.io/component'] as string;

/** The variables a config schema reads: the keys of the object inside `serviceConfig`'s pipe. */
function variablesOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return variablesOf(schema.in as z.ZodType);
  throw new Error(`cannot list the variables of a ${schema.constructor.name}`);
}

/** Every environment variable a container sees, with the object it comes from. */
function environmentOf(objects: Obj[], container: Obj): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) for (const key of Object.keys(named(objects, 'ConfigMap', source.configMapRef.name)?.data ?? {})) env.set(key, `configmap ${source.configMapRef.name}`);
    if (source.secretRef) {
      const secret = named(objects, 'Secret', source.secretRef.name);
      for (const key of Object.keys(secret?.stringData ?? secret?.data ?? {})) env.set(key, `secret ${source.secretRef.name}`);
    }
  }
  for (const e of container.env ?? []) env.set(e.name, e.valueFrom?.secretKeyRef ? `secret ${e.valueFrom.secretKeyRef.name}` : 'env');
  return env;
}

const SECRET_NAME = /(_KEY|_TOKEN|_PASSWORD|_SECRET|_WEBHOOK_URL)$|^DATABASE_URL$/;
/** Variables the chart sets from its own values (brokers, partitions, the port, the pod's name). */
const CHART_OWNED = ['BALLAST_MODE', 'KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_PARTITIONS', 'PORT', 'BALLAST_PORT', 'DATABASE_URL', 'INGRESS_INSTANCE_ID'];

beforeAll(() => {
  helm = helmBinary();
  scratch = mkdtempSync(join(tmpdir(), 'ballast-helm-'));
}, 900_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each([
  ['default values', [] as string[]],
  ['production-like values (ci/production-values.yaml)', [PRODUCTION]],
])('the chart with %s', (_label, files) => {
  let objects: Obj[];
  let values: Obj;
  beforeAll(() => {
    const rendered = render([], files);
    expect(rendered.error).toBe('');
    objects = rendered.objects;
    values = files.length > 0 ? production : defaults;
  });

  it('renders, and every manifest is valid against the Kubernetes, KEDA and Prometheus Operator schemas', () => {
    expect(objects.length).toBeGreaterThan(30);
    expect(validationErrors(objects)).toEqual([]);
  });

  it('renders one Deployment, Service, PodDisruptionBudget and NetworkPolicy per service from the same template', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(ofKind(objects, kind).filter((o) => SERVICES.includes(componentOf(o) as ServiceName)).map((o) => o.metadata.name).sort()).toEqual(
        SERVICES.map((s) => `${fullname}-${s}`).sort(),
      );
    }
  });

  it.each(SERVICES)('%s: probes on the health endpoints, requests and limits, non-root, settings from a ConfigMap and Secrets', (name) => {
    const deployment = named(objects, 'Deployment', `${fullname}-${name}`)!;
    const pod = deployment.spec.template;
    const selector = deployment.spec.selector.matchLabels as Record<string, string>;
    for (const [k, v] of Object.entries(selector)) expect(pod.metadata.labels[k]).toBe(v);
    const [container] = pod.spec.containers as Obj[];
    expect(container!.image).toBe(`${values.image.repository}/${name}:${values.image.tag || '0.1.0'}`);
    expect(container!.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container!.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container!.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container!.ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(container!.resources).toEqual(values.services[name].resources);
    expect(container!.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    expect(container!.resources.limits.memory).toBeDefined();
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });

    // Every ConfigMap and Secret the pod reads is rendered by the chart or named in values as existing.
    const existing = [values.existingSecret, values.postgres.existingSecret, values.kafka.tls.secretName, values.postgres.tls.secretName].filter(Boolean);
    if (values.kafka.credentialsSecretPattern) existing.push(values.kafka.credentialsSecretPattern.replace('{service}', name));
    for (const source of container!.envFrom as Obj[]) {
      if (source.configMapRef) expect(named(objects, 'ConfigMap', source.configMapRef.name)).toBeDefined();
      if (source.secretRef) expect(named(objects, 'Secret', source.secretRef.name) !== undefined || existing.includes(source.secretRef.name)).toBe(true);
    }
    const database = (container!.env as Obj[]).find((e) => e.name === 'DATABASE_URL')!.valueFrom.secretKeyRef;
    expect(database.key).toBe(values.postgres.secretKey);
    if (values.postgres.existingSecret) expect(database.name).toBe(values.postgres.existingSecret);
    else expect(named(objects, 'Secret', database.name)?.stringData?.DATABASE_URL).toBe(values.postgres.url);
    const env = environmentOf(objects, container!);
    expect(env.get('BALLAST_MODE')).toBe(`configmap ${fullname}-config`);
    expect(named(objects, 'ConfigMap', `${fullname}-config`)!.data).toMatchObject({
      BALLAST_MODE: 'distributed',
      KAFKA_BROKERS: values.kafka.brokers,
      KAFKA_PARTITIONS: String(values.topics.partitions),
      PORT: '8080',
    });

    const service = named(objects, 'Service', `${fullname}-${name}`)!;
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ port: 8080, targetPort: 'http' }));
    expect(service.spec.selector).toEqual(selector);
    const pdb = named(objects, 'PodDisruptionBudget', `${fullname}-${name}`)!;
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
    const policy = named(objects, 'NetworkPolicy', `${fullname}-${name}`)!;
    expect(policy.spec.podSelector.matchLabels).toEqual(selector);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress.map((r: Obj) => r.ports)).toEqual([[{ port: 'http', protocol: 'TCP' }]]);
  });

  it('scales each consumer service on the lag of its real consumer groups, at most one replica per partition', () => {
    const scaled = ofKind(objects, 'ScaledObject');
    const kedaServices = SERVICES.filter((s) => values.services[s].keda.enabled);
    expect(scaled.map(componentOf).sort()).toEqual([...kedaServices].sort());
    const partitions = (topic: string) => (values.topics.overrides?.[topic]?.partitions as number | undefined) ?? (values.topics.partitions as number);
    for (const so of scaled) {
      const name = componentOf(so) as ServiceName;
      expect(so.spec.scaleTargetRef.name).toBe(`${fullname}-${name}`);
      expect(named(objects, 'Deployment', so.spec.scaleTargetRef.name)!.spec.replicas).toBeUndefined();
      const expected = Object.entries(CONSUMER_GROUPS)
        .filter(([group]) => group === name || group.startsWith(`${name}-`))
        .flatMap(([group, topics]) => topics.map((topic) => `${group} ${topic}`));
      expect(so.spec.triggers.map((t: Obj) => `${t.metadata.consumerGroup} ${t.metadata.topic}`).sort()).toEqual(expected.sort());
      for (const t of so.spec.triggers as Obj[]) expect(t.metadata).toMatchObject({ bootstrapServers: values.kafka.brokers, lagThreshold: String(values.services[name].keda.lagThreshold) });
      const cap = Math.max(...(so.spec.triggers as Obj[]).map((t) => partitions(t.metadata.topic)));
      expect(so.spec.maxReplicaCount).toBe(Math.min(values.services[name].keda.maxReplicas, cap));
      if (values.kafka.kedaTriggerAuthentication) for (const t of so.spec.triggers as Obj[]) expect(t.authenticationRef).toEqual({ name: values.kafka.kedaTriggerAuthentication });
    }
  });

  it('migrates before install and upgrade with `ballast migrate` from the ingress image, its DATABASE_URL Secret made first', () => {
    const job = named(objects, 'Job', `${fullname}-migrate`)!;
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-5' });
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe(`${values.image.repository}/ingress:${values.image.tag || '0.1.0'}`);
    expect(container.args).toEqual(['node', 'bin/ballast.mjs', 'migrate']);
    const secretName = container.env.find((e: Obj) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name;
    if (values.postgres.existingSecret) expect(secretName).toBe(values.postgres.existingSecret);
    else {
      const secret = named(objects, 'Secret', secretName)!;
      expect(secret.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
      expect(Number(secret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations['helm.sh/hook-weight']));
    }
  });

  it('creates every topic of the catalogue with the partitions, replication factor and retention from values', () => {
    const job = named(objects, 'Job', `${fullname}-topics`)!;
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec.template.spec.containers[0].image).toBe(values.topics.job.image);
    const script = named(objects, 'ConfigMap', `${fullname}-topics`)!.data['create-topics.sh'] as string;
    const lines = script.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('topic ballast.'));
    const o = (topic: string) => (values.topics.overrides?.[topic] ?? {}) as Obj;
    expect(lines).toEqual(
      ALL_TOPICS.map(
        (t) => `topic ${t} ${o(t).partitions ?? values.topics.partitions} ${o(t).replicationFactor ?? values.topics.replicationFactor} ${o(t).retentionMs ?? values.topics.retentionMs}`,
      ),
    );
    if (values.kafka.adminClientPropertiesSecret) expect(script).toContain('--command-config /etc/ballast/kafka-admin/client.properties');
  });
});

describe('helm lint --strict', () => {
  it.each([
    ['default values', [] as string[]],
    ['production-like values', [PRODUCTION]],
  ])('passes with %s', (_label, files) => {
    const run = spawnSync(helm, ['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])], { encoding: 'utf8' });
    expect({ status: run.status, out: run.stdout.split('\n').filter((l) => /\[(WARNING|ERROR)\]/.test(l)) }).toEqual({ status: 0, out: [] });
  });
});

describe('the manifest validation', () => {
  it('catches what the API server would refuse: a wrong type, a missing field, an unknown kind', () => {
    const objects = render().objects;
    const deployment = structuredClone(named(objects, 'Deployment', `${fullname}-cache`)!);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const scaled = structuredClone(named(objects, 'ScaledObject', `${fullname}-cache`)!);
    delete scaled.spec.scaleTargetRef;
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const errors = validationErrors([deployment, scaled, unknown]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/containerPort must be integer/);
    expect(errors[1]).toMatch(/scaleTargetRef/);
    expect(errors[2]).toMatch(/no schema/);
  });
});

describe('the chart values', () => {
  const hint = 'deploy/helm/ballast/values.yaml follows libs/contracts/src/topics.ts and services/metrics/src/lag/consumer-groups.ts';

  it('list the topic catalogue of libs/contracts', () => {
    expect({ hint, names: defaults.topics.names }).toEqual({ hint, names: [...ALL_TOPICS] });
  });

  it('name every consumer group and its topics as the services consume them (CONSUMER_GROUPS)', () => {
    const groups = Object.fromEntries(SERVICES.flatMap((s) => Object.entries(defaults.services[s].consumerGroups as Record<string, string[]>)));
    expect({ hint, groups }).toEqual({ hint, groups: Object.fromEntries(Object.entries(CONSUMER_GROUPS).map(([g, t]) => [g, [...t]])) });
    for (const s of SERVICES) for (const group of Object.keys(defaults.services[s].consumerGroups)) expect({ s, group, own: group === s || group.startsWith(`${s}-`) }).toEqual({ s, group, own: true });
  });

  it('a consumer service asking for more replicas than partitions gets as many as there are partitions', () => {
    const { objects } = render([{ topics: { partitions: 3 }, services: { inference: { keda: { maxReplicas: 50 } } } }]);
    expect(named(objects, 'ScaledObject', `${fullname}-inference`)!.spec.maxReplicaCount).toBe(3);
  });

  it('values.schema.json refuses a typo, a secret in the ConfigMap, a setting the chart owns and a bad broker list, each naming the problem', () => {
    const cases: [Obj, RegExp][] = [
      [{ services: { guardrail: { replicaz: 2 } } }, /replicaz/],
      [{ config: { OPENAI_API_KEY: 'sk-1' } }, /OPENAI_API_KEY/],
      [{ config: { DATABASE_URL: 'postgres://u:p@db/x' } }, /DATABASE_URL/],
      [{ config: { KAFKA_BROKERS: 'elsewhere:9092' } }, /KAFKA_BROKERS/],
      [{ kafka: { brokers: 'kafka' } }, /brokers/],
      [{ topics: { partitions: 0 } }, /partitions/],
    ];
    for (const [values, problem] of cases) {
      const rendered = render([values]);
      expect({ values, ok: rendered.ok }).toEqual({ values, ok: false });
      expect(rendered.error).toMatch(problem);
    }
  });

  it('an HPA on CPU for the ingress only when asked, which then leaves its replica count alone; never with KEDA on the same service', () => {
    expect(ofKind(render().objects, 'HorizontalPodAutoscaler')).toEqual([]);
    const { objects } = render([{ services: { ingress: { hpa: { enabled: true, minReplicas: 2, maxReplicas: 7, targetCPUUtilizationPercentage: 60 } } } }]);
    const [hpa] = ofKind(objects, 'HorizontalPodAutoscaler');
    expect(hpa!.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: `${fullname}-ingress` }, minReplicas: 2, maxReplicas: 7 });
    expect(hpa!.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    expect(named(objects, 'Deployment', `${fullname}-ingress`)!.spec.replicas).toBeUndefined();
    const both = render([{ services: { ingress: { hpa: { enabled: true, minReplicas: 2, maxReplicas: 7, targetCPUUtilizationPercentage: 60 }, keda: { enabled: true } } } }]);
    expect(both.ok).toBe(false);
    expect(both.error).toMatch(/choose one/);
  });

  it('monitoring objects only when enabled: the rules and dashboards are deploy/prometheus and deploy/grafana as they are', () => {
    const kinds = render().objects.map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    const { objects } = render([], [PRODUCTION]);
    const rules = ofKind(objects, 'PrometheusRule')[0]!;
    const files = readdirSync(join(ROOT, 'deploy/prometheus/rules')).filter((f) => f.endsWith('.yml'));
    expect(rules.spec.groups).toEqual(files.flatMap((f) => (parse(readFileSync(join(ROOT, 'deploy/prometheus/rules', f), 'utf8')) as Obj).groups));
    const dashboards = ofKind(objects, 'ConfigMap').filter((c) => c.metadata.labels.grafana_dashboard === '1');
    expect(dashboards.map((d) => Object.keys(d.data)[0]).sort()).toEqual(readdirSync(join(ROOT, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json')).sort());
    for (const d of dashboards) {
      const [file, json] = Object.entries(d.data as Record<string, string>)[0]!;
      expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards', file), 'utf8')));
    }
    const [monitor] = ofKind(objects, 'ServiceMonitor');
    expect(monitor!.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics', authorization: { type: 'Bearer', credentials: { name: 'ballast-settings', key: 'BALLAST_METRICS_TOKEN' } } });
  });

  it('secure mode settings come from Secrets: per-service Kafka credentials, Kafka and Postgres certificates mounted read-only', () => {
    const { objects } = render([], [PRODUCTION]);
    for (const name of SERVICES) {
      const pod = named(objects, 'Deployment', `${fullname}-${name}`)!.spec.template.spec;
      const container = pod.containers[0];
      expect(container.envFrom).toContainEqual({ secretRef: { name: `ballast-kafka-${name}` } });
      expect(container.volumeMounts).toEqual(
        expect.arrayContaining([
          { name: 'kafka-tls', mountPath: '/etc/ballast/kafka-tls', readOnly: true },
          { name: 'postgres-tls', mountPath: '/etc/ballast/postgres-tls', readOnly: true },
        ]),
      );
      expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'kafka-tls', secret: { secretName: 'ballast-kafka-ca' } }, { name: 'postgres-tls', secret: { secretName: 'ballast-postgres-ca' } }]));
      // No credential is ever written into a manifest by value.
      expect(JSON.stringify(container.env)).not.toMatch(/"value":"[^"]*(password|secret)/i);
    }
    expect(ofKind(objects, 'Secret').map((s) => s.metadata.name)).toEqual([]);
  });
});

describe('every environment variable a service reads', () => {
  const reads = new Map<string, ServiceName[]>();
  for (const service of SERVICES) for (const v of variablesOf(SCHEMAS[service])) reads.set(v, [...(reads.get(v) ?? []), service]);

  it('is documented in README.md', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.search(/^\|\s*variable\s*\|\s*default\s*\|\s*meaning\s*\|/m));
    const documented = [...table.slice(0, table.search(/\n(?!\|)/)).matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map((m) => m[1]!);
    const isDocumented = (v: string) => documented.some((d) => (d.endsWith('*') ? v.startsWith(d.slice(0, -1)) : d === v));
    expect([...reads.keys()].filter((v) => !isDocumented(v))).toEqual([]);
  });

  it('is settable through the chart and reaches every service that reads it (sensitive ones through the Secret)', () => {
    const settable = [...reads.keys()].filter((v) => !CHART_OWNED.includes(v));
    const config = Object.fromEntries(settable.filter((v) => !SECRET_NAME.test(v)).map((v) => [v, `set-${v}`]));
    const secrets = Object.fromEntries(settable.filter((v) => SECRET_NAME.test(v)).map((v) => [v, `set-${v}`]));
    const rendered = render([{ config, secrets }]);
    expect(rendered.error).toBe('');
    const missing: string[] = [];
    for (const service of SERVICES) {
      const env = environmentOf(rendered.objects, named(rendered.objects, 'Deployment', `${fullname}-${service}`)!.spec.template.spec.containers[0]);
      for (const [variable, services] of reads) {
        // The chart sets PORT (its probes and Service use 8080); BALLAST_PORT would override it, so values may not set it.
        if (!services.includes(service) || variable === 'BALLAST_PORT') continue;
        const source = env.get(variable);
        const expected = SECRET_NAME.test(variable) ? /^secret / : /^(configmap|env)/;
        if (source === undefined || !expected.test(source)) missing.push(`${service} ${variable}: ${source ?? 'not set'}`);
      }
    }
    expect(missing).toEqual([]);
    // And the sensitive ones never land in a ConfigMap.
    for (const cm of ofKind(rendered.objects, 'ConfigMap')) for (const key of Object.keys(cm.data ?? {})) expect(SECRET_NAME.test(key)).toBe(false);
  });

  it('per-service settings reach that service only', () => {
    const { objects } = render([{ services: { inference: { config: { INFERENCE_MAX_CONCURRENT: '7' } } } }]);
    for (const service of SERVICES) {
      const container = named(objects, 'Deployment', `${fullname}-${service}`)!.spec.template.spec.containers[0];
      const perService = (container.envFrom as Obj[]).map((e) => e.configMapRef?.name).filter((n) => n === `${fullname}-${service}`);
      expect(perService).toEqual([`${fullname}-${service}`]);
      expect(named(objects, 'ConfigMap', `${fullname}-${service}`)!.data?.INFERENCE_MAX_CONCURRENT).toBe(service === 'inference' ? '7' : undefined);
    }
  });
});
