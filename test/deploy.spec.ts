// Static checks of deploy/ and docker-compose.yml: there is no Docker engine or cluster here, so
// everything a `docker compose up` or `docker build` would trip over is checked from the files.
// The Helm chart is rendered and validated in test/deploy-helm.spec.ts.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { loadConfig } from '../libs/config/src/config.loader.js';
import { cacheConfig } from '../services/cache/src/cache.config.js';
import { semanticCacheFromConfig } from '../services/cache/src/semantic/semantic-cache.factory.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const BALLAST_SERVICES = ['ingress', 'guardrail', 'cache', 'inference', 'judge', 'metrics'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML of arbitrary shape
type Doc = Record<string, any>;

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { published?: string | number; target?: number })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose resolves `<<` merge keys (YAML 1.1); the yaml package does so only when asked. */
const parseCompose = (text: string) => parse(text, { merge: true }) as Compose;
const compose = parseCompose(read('docker-compose.yml'));

function buildArgs(service: ComposeService): Record<string, string> {
  if (typeof service.build !== 'object' || service.build.args === undefined) return {};
  const args = service.build.args;
  if (!Array.isArray(args)) return args;
  return Object.fromEntries(args.map((pair) => [pair.split('=')[0], pair.split('=').slice(1).join('=')]));
}

function envOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((pair) => [pair.split('=')[0], pair.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition]));
}

/** Compose services built from the Ballast Dockerfile, by their SERVICE build argument. */
const builtServices = Object.entries(compose.services)
  .filter(([, s]) => buildArgs(s).SERVICE !== undefined)
  .map(([key, s]) => ({ key, service: buildArgs(s).SERVICE!, def: s }));

function composeValidator() {
  const schema = JSON.parse(read('deploy/schema/compose-spec.json')) as Doc;
  // The schema names its meta-schema by the https form of the draft-07 id, which ajv registers as http.
  const draft07 = JSON.parse(read('node_modules/ajv/dist/refs/json-schema-draft-07.json')) as Doc;
  // strictTypes off: the upstream schema omits `type` beside some keywords, which ajv's extra lint
  // rejects; unknown keywords (strictSchema) still fail compilation.
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false });
  if (schema.$schema !== draft07.$id) ajv.addMetaSchema({ ...draft07, $id: schema.$schema }, schema.$schema);
  return { schema, validate: ajv.compile(schema) };
}
const formatErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

describe('docker-compose.yml', () => {
  const { schema, validate } = composeValidator();

  it('uses the vendored Compose Specification schema, which is draft-07', () => {
    expect(schema.title).toBe('Compose Specification');
    expect(schema.$schema).toMatch(/json-schema\.org\/draft-07\/schema/);
  });

  it('is valid against the Compose Specification', () => {
    const valid = validate(compose);
    expect(formatErrors(validate.errors)).toBe('');
    expect(valid).toBe(true);
  });

  it('the schema rejects what compose would reject (typo in a key, unknown depends_on condition)', () => {
    const typo = parseCompose(read('docker-compose.yml').replace(/^ {4}image: ballast\/ingress:local$/m, '    imagee: ballast/ingress:local'));
    expect(typo.services.ingress).toHaveProperty('imagee');
    expect(validate(typo)).toBe(false);
    expect(formatErrors(validate.errors)).toMatch(/additional properties/);

    const badCondition = structuredClone(compose);
    (badCondition.services.ingress!.depends_on as Record<string, { condition: string }>).kafka!.condition = 'service_ready';
    expect(validate(badCondition)).toBe(false);
  });

  it('builds exactly the six Ballast services, each from deploy/Dockerfile with SERVICE = its own name', () => {
    expect(builtServices.map((s) => s.service).sort()).toEqual([...BALLAST_SERVICES].sort());
    for (const { key, service, def } of builtServices) {
      expect(key).toBe(service);
      expect(def.build).toMatchObject({ context: '.', dockerfile: 'deploy/Dockerfile' });
    }
  });

  it.each(BALLAST_SERVICES)('builds %s from a service whose main.ts exists', (name) => {
    expect(builtServices.map((s) => s.service)).toContain(name);
    const main = `services/${name}/src/main.ts`;
    expect({ main, exists: existsSync(join(ROOT, main)) }).toEqual({ main, exists: true });
  });

  it('gives every Ballast service the distributed-mode environment', () => {
    for (const { key, def } of builtServices) {
      expect({ key, env: envOf(def) }).toEqual({
        key,
        env: expect.objectContaining({
          BALLAST_MODE: 'distributed',
          KAFKA_BROKERS: 'kafka:9092',
          DATABASE_URL: 'postgres://ballast:ballast@postgres:5432/ballast',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
          PORT: '8080',
        }),
      });
    }
    expect(envOf(compose.services.cache!).QDRANT_URL).toBe('http://qdrant:6333');
  });

  it('environment URLs point at compose services on the ports they listen on', () => {
    const env = envOf(compose.services.cache!);
    const hosts = [env.KAFKA_BROKERS!, env.DATABASE_URL!, env.OTEL_EXPORTER_OTLP_ENDPOINT!, env.QDRANT_URL!].map(
      (value) => (value.includes('://') ? new URL(value).hostname : value.split(':')[0]!),
    );
    for (const host of hosts) expect(Object.keys(compose.services)).toContain(host);
  });

  it('publishes the ingress API on 8080 and no other Ballast service port', () => {
    expect(compose.services.ingress!.ports).toContain('8080:8080');
    for (const { key, def } of builtServices.filter((s) => s.key !== 'ingress')) expect({ key, ports: def.ports }).toEqual({ key, ports: undefined });
  });

  it('every depends_on target exists', () => {
    const names = new Set(Object.keys(compose.services));
    const missing = Object.entries(compose.services).flatMap(([from, s]) =>
      Object.keys(dependsOn(s)).filter((to) => !names.has(to)).map((to) => `${from} -> ${to}`),
    );
    expect(missing).toEqual([]);
  });

  it('Ballast services wait for a healthy Kafka and Postgres, which define healthchecks', () => {
    for (const { key, def } of builtServices) {
      expect({ key, deps: dependsOn(def) }).toEqual({
        key,
        deps: expect.objectContaining({ kafka: 'service_healthy', postgres: 'service_healthy' }),
      });
    }
    // service_healthy on a service without a healthcheck never becomes true: compose up would hang.
    const healthyTargets = new Set(Object.values(compose.services).flatMap((s) => Object.entries(dependsOn(s)).filter(([, c]) => c === 'service_healthy').map(([n]) => n)));
    for (const name of healthyTargets) expect({ name, healthcheck: compose.services[name]!.healthcheck?.test !== undefined }).toEqual({ name, healthcheck: true });
    expect(JSON.stringify(compose.services.kafka!.healthcheck!.test)).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh');
    expect(JSON.stringify(compose.services.postgres!.healthcheck!.test)).toContain('pg_isready');
  });

  it('runs Kafka as a single KRaft node whose internal topics fit on one broker', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.image).toBe('apache/kafka:4.1.0');
    expect(envOf(kafka)).toEqual(
      expect.objectContaining({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      }),
    );
    expect(envOf(kafka).KAFKA_ADVERTISED_LISTENERS).toContain('PLAINTEXT://kafka:9092');
  });

  it('mounts only files that exist and volumes that are declared', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('.') || source.startsWith('/')) {
          if (!existsSync(join(ROOT, source))) problems.push(`${name}: ${source} does not exist`);
        } else if (!(source in (compose.volumes ?? {}))) problems.push(`${name}: volume ${source} is not declared`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  const runtime = instructions.slice(instructions.indexOf('FROM node:24-slim AS runtime'));

  it('builds on node:24-slim in stages, and runs as the non-root node user in production on 8080', () => {
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM node:24-slim AS build', 'FROM build AS service-files', 'FROM node:24-slim AS runtime']);
    expect(runtime).toEqual(expect.arrayContaining(['ARG SERVICE', 'USER node', 'EXPOSE 8080']));
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build && npm prune --omit=dev/);
    // Nothing after USER switches back to root.
    expect(runtime.slice(runtime.indexOf('USER node')).filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
  });

  it('takes only production dependencies from the build, pruned per service', () => {
    const copies = runtime.filter((l) => l.startsWith('COPY --from='));
    expect(copies.map((l) => l.split(/\s+/)[1])).toEqual(copies.map(() => '--from=service-files'));
    const prune = instructions.slice(instructions.indexOf('FROM build AS service-files'), instructions.indexOf('FROM node:24-slim AS runtime')).join('\n');
    expect(prune).toMatch(/rm -rf node_modules\/onnxruntime-node/);
    expect(prune).toMatch(/"\$SERVICE" = cache/);
  });

  it('runs under an init process (tini as PID 1) and starts dist/services/<SERVICE>/src/main.js', () => {
    expect(runtime.join('\n')).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(runtime.find((l) => l.startsWith('ENTRYPOINT '))).toBe('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(runtime.join('\n')).toMatch(/ENV [^\n]*BALLAST_SERVICE=\$\{SERVICE\}/);
    const cmd = runtime.find((l) => l.startsWith('CMD '))!;
    expect(cmd).toContain('exec node');
    expect(cmd).toContain('dist/services/${BALLAST_SERVICE}/src/main.js');
    for (const dir of ['dist', 'node_modules', 'package.json', 'bin', 'prompts', 'rubrics']) expect(runtime.join('\n')).toMatch(new RegExp(`COPY .*\\b${dir}\\b`));
  });

  it('health-checks /health/live with fetch and carries the OCI labels', () => {
    const health = runtime.find((l) => l.startsWith('HEALTHCHECK '))!;
    expect(health).toMatch(/fetch\(.*\/health\/live/);
    const labels = runtime.filter((l) => l.startsWith('LABEL ')).join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'base.name']) expect(labels).toContain(`org.opencontainers.image.${key}=`);
    expect(labels).toContain('org.opencontainers.image.licenses="Apache-2.0"');
  });

  it('copies only paths that exist in the build context and are not .dockerignored', () => {
    const sources = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1).filter((arg) => !arg.startsWith('--')));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect(ignored).not.toContain(source);
    }
  });

  it('.dockerignore keeps local state out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.kafka', '.git', 'coverage']));
  });
});

describe('deploy/prometheus.yml', () => {
  const prometheus = parse(read('deploy/prometheus.yml')) as { scrape_configs: Doc[] };
  const targets = prometheus.scrape_configs.flatMap((job) =>
    (job.static_configs as { targets: string[] }[]).flatMap((sc) => sc.targets.map((target) => ({ job: job.job_name as string, path: (job.metrics_path as string | undefined) ?? '/metrics', target }))),
  );

  it.each(BALLAST_SERVICES)('scrapes %s:8080/metrics', (name) => {
    expect(targets).toContainEqual(expect.objectContaining({ target: `${name}:8080`, path: '/metrics' }));
  });

  it('scrapes the collector, and only hosts that compose defines', () => {
    expect(targets.some((t) => t.target.startsWith('otel-collector:'))).toBe(true);
    for (const { target } of targets) {
      const host = target.split(':')[0]!;
      if (host !== 'localhost') expect(Object.keys(compose.services)).toContain(host);
    }
  });
});

describe('deploy/grafana', () => {
  const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')) as { datasources: Doc[] };
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/ballast.json')) as { panels: Doc[] };

  it('has a panel for each pipeline metric, all on the provisioned Prometheus datasource', () => {
    const uid = datasources.datasources.find((d) => d.type === 'prometheus')!.uid as string;
    const exprs = dashboard.panels.flatMap((p) => (p.targets as Doc[]).map((t) => t.expr as string));
    for (const metric of ['ballast_requests_total', 'ballast_request_duration_seconds_bucket', 'ballast_tokens_total', 'ballast_cost_usd_total', 'ballast_cache_lookups_total', 'ballast_quality_score_bucket']) {
      expect(exprs.some((e) => e.includes(metric))).toBe(true);
    }
    for (const panel of dashboard.panels) expect(panel.datasource).toEqual({ type: 'prometheus', uid });
  });
});

describe('QDRANT_URL in compose and the Helm chart', () => {
  const chartConfig = (parse(read('deploy/helm/ballast/values.yaml')) as { config: Record<string, string> }).config;

  it('the cache service reads QDRANT_URL: the compose and chart values parse, and its semantic layer talks to that server', async () => {
    for (const value of [envOf(compose.services.cache!).QDRANT_URL!, chartConfig.QDRANT_URL!]) expect(loadConfig(cacheConfig.schema, { QDRANT_URL: value }).QDRANT_URL).toBe(value);
    expect(() => loadConfig(cacheConfig.schema, { QDRANT_URL: 'qdrant:6333' })).toThrow(/QDRANT_URL/);
    expect(semanticCacheFromConfig(loadConfig(cacheConfig.schema, {}), null)).toBeNull();

    // The service's own wiring with QDRANT_URL pointed at a local stand-in: its first look-up reaches that server.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unavailable"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const semantic = semanticCacheFromConfig(loadConfig(cacheConfig.schema, { QDRANT_URL: url, CACHE_SEMANTIC_TIMEOUT_MS: '2000' }), null)!;
      const scope = { tenantId: 'acme', promptName: 'support-answer', promptVersion: 1, model: 'sim-1', paramsHash: 'p' };
      expect(await semantic.lookup('where is my parcel?', scope)).toBeNull();
      await semantic.close();
      expect(seen.some((line) => line.includes('/collections/ballast_cache_'))).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
