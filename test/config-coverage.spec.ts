import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import { z } from 'zod';
import { TOPICS, type Envelope, type LlmResponse } from '#contracts';
import { EMBEDDED_SCHEMAS, EMBEDDED_UNUSED_VARIABLES, loadEmbeddedConfig } from '../apps/embedded/src/embedded.config.js';
import { startEmbedded, type Embedded } from '../apps/embedded/src/embedded.js';
import { cacheConfig } from '../services/cache/src/cache.config.js';
import { guardrailConfig } from '../services/guardrail/src/guardrail.config.js';
import { inferenceConfig } from '../services/inference/src/inference.config.js';
import { ingressConfig } from '../services/ingress/src/ingress.config.js';
import { judgeConfig } from '../services/judge/src/judge.config.js';
import { metricsConfig } from '../services/metrics/src/metrics.config.js';

jest.setTimeout(90_000);

/** The variables a config schema reads: the keys of the object inside `serviceConfig`'s pipe. */
function variablesOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return variablesOf(schema.in as z.ZodType);
  throw new Error(`cannot list the variables of a ${schema.constructor.name}`);
}

interface Row {
  variables: string[];
  meaning: string;
  distributedOnly: boolean;
  embeddedOnly: boolean;
}

/** The `| variable | default | meaning |` table under README.md's "Configuration" heading. */
function readmeRows(): Row[] {
  const readme = readFileSync('README.md', 'utf8');
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|\s*default\s*\|\s*meaning\s*\|/.test(line));
  if (header < 0) throw new Error('README.md has no "| variable | default | meaning |" table');
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [variableCell = '', , meaning = ''] = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    const variables = [...variableCell.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map((m) => m[1]!);
    rows.push({ variables, meaning, distributedOnly: /distributed only/i.test(meaning), embeddedOnly: /embedded only/i.test(meaning) });
  }
  return rows;
}

const DISTRIBUTED_SCHEMAS = {
  ingress: ingressConfig.schema,
  guardrail: guardrailConfig.schema,
  cache: cacheConfig.schema,
  inference: inferenceConfig.schema,
  judge: judgeConfig.schema,
  metrics: metricsConfig.schema,
};

const embeddedReads = new Set(Object.values(EMBEDDED_SCHEMAS).flatMap((schema) => variablesOf(schema)).filter((v) => !EMBEDDED_UNUSED_VARIABLES.includes(v)));
const distributedReads = new Set(Object.values(DISTRIBUTED_SCHEMAS).flatMap((schema) => variablesOf(schema)));

/** `INFERENCE_CIRCUIT_*` stands for every variable with that prefix; it must match at least one. */
function expand(variable: string, known: Set<string>): string[] {
  if (!variable.endsWith('*')) return [variable];
  const prefix = variable.slice(0, -1);
  return [...known].filter((v) => v.startsWith(prefix));
}

describe("the README's configuration table", () => {
  const rows = readmeRows();
  const known = new Set([...embeddedReads, ...distributedReads, ...EMBEDDED_UNUSED_VARIABLES]);

  it('is found and names variables', () => {
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((row) => row.variables.length > 0)).toBe(true);
  });

  it.each(rows.flatMap((row) => row.variables.map((variable) => [variable, row] as const)))('%s is read by the modes its row claims', (variable, row) => {
    const names = expand(variable, known);
    expect(names).not.toEqual([]);
    for (const name of names) {
      const reads = { embedded: embeddedReads.has(name), distributed: distributedReads.has(name) };
      const claims = { embedded: !row.distributedOnly, distributed: !row.embeddedOnly };
      expect({ variable: name, reads }).toEqual({ variable: name, reads: claims });
    }
  });

  it('lists, as unused by embedded mode, only variables some schema declares', () => {
    const declared = new Set(Object.values(EMBEDDED_SCHEMAS).flatMap((schema) => variablesOf(schema)));
    expect(EMBEDDED_UNUSED_VARIABLES.filter((v) => !declared.has(v))).toEqual([]);
  });
});

describe('embedded mode honours the variables it used to ignore', () => {
  const API_KEY = 'test-key-config';
  const running: Embedded[] = [];
  afterAll(() => Promise.all(running.map((b) => b.stop())));

  async function start(env: NodeJS.ProcessEnv) {
    const ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', env });
    running.push(ballast);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${ballast.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const outcomeOnTheBus = (requestId: string) =>
      ballast.broker
        .records(TOPICS.responses)
        .map((r) => (JSON.parse(r.value.toString()) as Envelope<LlmResponse>).payload)
        .find((o) => o.requestId === requestId);
    return { post, outcomeOnTheBus };
  }
  const request = (requestId: string, question: string, extra: Record<string, unknown> = {}) => ({
    requestId,
    prompt: { name: 'support-answer' },
    variables: { question },
    ...extra,
  });

  it('INGRESS_DEFAULT_TIMEOUT_MS: a request without timeoutMs gets that deadline; one with its own timeoutMs is answered', async () => {
    const { post } = await start({ INGRESS_DEFAULT_TIMEOUT_MS: '300', SIMULATOR_TTFT_MS: '1000' });

    const defaulted = (await (await post('/v1/requests?wait=true', request('timeout-default', 'Where is my parcel?'))).json()) as LlmResponse;
    expect(defaulted.status).toBe('failed');
    expect(defaulted.error?.code).toBe('ballast.deadline_exceeded');

    const own = (await (await post('/v1/requests?wait=true', request('timeout-own', 'Where is my parcel?', { timeoutMs: 20_000 }))).json()) as LlmResponse;
    expect(own.status).toBe('completed');
  });

  describe('with INGRESS_MAX_BODY_BYTES, GUARDRAIL_MAX_INPUT_CHARS and CACHE_DEFAULT_TTL_SECONDS set', () => {
    let ballast: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      ballast = await start({ INGRESS_MAX_BODY_BYTES: '2048', GUARDRAIL_MAX_INPUT_CHARS: '400', CACHE_DEFAULT_TTL_SECONDS: '42' });
    });

    it('INGRESS_MAX_BODY_BYTES: a body over the limit is refused with 413', async () => {
      const over = await ballast.post('/v1/requests', request('body-over', 'x'.repeat(3_000)));
      expect(over.status).toBe(413);
      const under = await ballast.post('/v1/requests', request('body-under', 'Is this small enough?'));
      expect(under.status).toBe(202);
    });

    it('GUARDRAIL_MAX_INPUT_CHARS: input over the limit is blocked by the input guardrail', async () => {
      const blocked = (await (await ballast.post('/v1/requests?wait=true', request('input-over', `Please help me with my order. ${'details '.repeat(60)}`))).json()) as LlmResponse;
      expect(blocked.status).toBe('blocked');
      const passed = (await (await ballast.post('/v1/requests?wait=true', request('input-under', 'Please help me with my order.'))).json()) as LlmResponse;
      expect(passed.status).toBe('completed');
    });

    it('CACHE_DEFAULT_TTL_SECONDS: an answer without a prompt TTL of its own is stored for that long', async () => {
      const res = await ballast.post('/v1/chat/completions', { model: 'sim-1', temperature: 0, messages: [{ role: 'user', content: 'What are your opening hours?' }] }, { 'x-ballast-request-id': 'ttl-adhoc' });
      expect(res.status).toBe(200);
      expect(ballast.outcomeOnTheBus('ttl-adhoc')?.cacheStore?.ttlSeconds).toBe(42);
    });
  });

  it('parses every stage from the same environment, naming every bad variable at once', () => {
    const config = loadEmbeddedConfig({ INGRESS_DEFAULT_TIMEOUT_MS: '300', CACHE_DEFAULT_TTL_SECONDS: '42' });
    expect(config.ingress.INGRESS_DEFAULT_TIMEOUT_MS).toBe(300);
    expect(config.cache.CACHE_DEFAULT_TTL_SECONDS).toBe(42);
    expect(() => loadEmbeddedConfig({ GUARDRAIL_MAX_INPUT_CHARS: 'lots', INFERENCE_MAX_ATTEMPTS: '0' })).toThrow(
      /GUARDRAIL_MAX_INPUT_CHARS: expected .*INFERENCE_MAX_ATTEMPTS: expected/,
    );
    expect(() => loadEmbeddedConfig({ GUARDRAIL_MODEL_DETECTORS: '[{"name":"pg","kind":"regex"}]' })).toThrow(/GUARDRAIL_MODEL_DETECTORS: expected a list of model detectors: 0\.kind/);
  });
});
