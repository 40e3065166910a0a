/**
 * `npx ballast tenants create | list | show | update`: tenants through a running ingress's admin API
 * (allowed models and prompts, rate limits and budgets). See docs/tenants.md.
 *
 *   npx ballast tenants create acme --name "Acme" --allow-model sim-1 --rps 10 --burst 20 --usd-per-day 5
 *   npx ballast tenants list
 *   npx ballast tenants show acme --json
 *   npx ballast tenants update acme --allow-prompt support-answer --clear-limit usdPerDay
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError, action, commandGroup, nonNegativeNumber } from '../cli.js';
import { ADMIN_API_ENVIRONMENT, adminApi, table } from '../admin-api.client.js';

interface TenantView {
  id: string;
  name: string;
  createdAt: string;
  allowedModels: string[];
  allowedPrompts: string[] | null;
  quotas: Record<string, number>;
  keys?: { id: string; prefix: string; label: string | null; createdAt: string; revokedAt: string | null }[];
}

interface LimitOptions {
  rps?: number;
  burst?: number;
  rpm?: number;
  tpm?: number;
  usdPerDay?: number;
  usdPerMonth?: number;
}

interface TenantOptions extends LimitOptions {
  name?: string;
  allowModel?: string[];
  allowPrompt?: string[];
  allPrompts?: boolean;
  noModels?: boolean;
  clearLimit?: string[];
  json?: boolean;
}

/** CLI option → quota name (docs/tenants.md). */
const LIMITS: Record<keyof LimitOptions, string> = {
  rps: 'requestsPerSecond',
  burst: 'requestBurst',
  rpm: 'requestsPerMinute',
  tpm: 'tokensPerMinute',
  usdPerDay: 'usdPerDay',
  usdPerMonth: 'usdPerMonth',
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

function wholeNumber(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError('Expected a whole number of 0 or more.');
  return Number(raw);
}

function quotaName(raw: string): string {
  const names = Object.values(LIMITS);
  if (!names.includes(raw)) throw new InvalidArgumentError(`Expected one of ${names.join(', ')}.`);
  return raw;
}

function limitOptions(command: Command): Command {
  return command
    .option('--allow-model <model>', 'a model the tenant may call by name (repeat for more)', collect)
    .option('--allow-prompt <name>', 'a registered prompt the tenant may call (repeat; without any: every prompt)', collect)
    .option('--rps <n>', 'requests per second (token bucket refill)', nonNegativeNumber)
    .option('--burst <n>', 'requests at once (token bucket size; default one second of --rps)', wholeNumber)
    .option('--rpm <n>', 'requests per minute', wholeNumber)
    .option('--tpm <n>', 'model tokens per minute (input + output)', wholeNumber)
    .option('--usd-per-day <usd>', 'spending budget per UTC day', nonNegativeNumber)
    .option('--usd-per-month <usd>', 'spending budget per UTC month', nonNegativeNumber)
    .option('--json', 'print the tenant as JSON');
}

export function register(program: Command): void {
  const tenants = commandGroup(program, 'tenants', 'tenants and their limits on a running ingress (tenants create, list, show, update)');
  limitOptions(
    tenants
      .command('create')
      .summary('create a tenant with its allowed models, prompts and limits')
      .argument('<id>', 'tenant id: lower-case letters, digits, _ and -')
      .option('--name <name>', 'display name (default: the id)'),
  )
    .addHelpText('after', `${ADMIN_API_ENVIRONMENT}\n\nExample:\n  npx ballast tenants create acme --name Acme --allow-model sim-1 --rps 10 --burst 20 --usd-per-day 5\n  then: npx ballast keys issue acme`)
    .action(action(create));
  tenants
    .command('list')
    .summary('every tenant with its limits')
    .option('--json', 'print {"tenants": [...]}')
    .addHelpText('after', ADMIN_API_ENVIRONMENT)
    .action(action(list));
  tenants
    .command('show')
    .summary("a tenant's allowed models and prompts, limits and keys (prefixes only)")
    .argument('<id>', 'tenant id')
    .option('--json', 'print the tenant as JSON')
    .addHelpText('after', ADMIN_API_ENVIRONMENT)
    .action(action(show));
  limitOptions(
    tenants
      .command('update')
      .summary("change a tenant's name, allowed models and prompts or limits (options left out stay as they are)")
      .argument('<id>', 'tenant id')
      .option('--name <name>', 'display name'),
  )
    .option('--no-models', 'allow no model by name (only registered prompts)')
    .option('--all-prompts', 'allow every registered prompt')
    .addOption(new Option('--clear-limit <quota>', 'remove a limit (repeat), e.g. usdPerDay').argParser((v: string, prev: string[] = []) => [...prev, quotaName(v)]))
    .addHelpText('after', `${ADMIN_API_ENVIRONMENT}\n\nChanges reach every ingress replica at its next change-log poll (every 250 ms).\n\nExample:\n  npx ballast tenants update acme --allow-prompt support-answer --rpm 600 --clear-limit usdPerDay`)
    .action(action(update));
}

function quotasFrom(options: LimitOptions): Record<string, number> {
  const quotas: Record<string, number> = {};
  for (const [option, name] of Object.entries(LIMITS)) {
    const value = options[option as keyof LimitOptions];
    if (value !== undefined) quotas[name] = value;
  }
  return quotas;
}

async function create(id: string, options: TenantOptions): Promise<void> {
  const tenant = await adminApi<TenantView>('POST', '/tenants', {
    id,
    ...(options.name ? { name: options.name } : {}),
    allowedModels: options.allowModel ?? [],
    allowedPrompts: options.allowPrompt ?? null,
    quotas: quotasFrom(options),
  });
  print(tenant, options.json, `created tenant ${tenant.id}`);
}

async function update(id: string, options: TenantOptions): Promise<void> {
  if (options.allPrompts && options.allowPrompt) throw new UsageError('give --all-prompts or --allow-prompt, not both');
  const quotas: Record<string, number | null> = quotasFrom(options);
  for (const name of options.clearLimit ?? []) {
    if (name in quotas) throw new UsageError(`--clear-limit ${name} and a new value for it: give one`);
    quotas[name] = null;
  }
  const body = {
    ...(options.name ? { name: options.name } : {}),
    // commander sets `models: false` for --no-models; `allowModel` replaces the list.
    ...(options.allowModel ? { allowedModels: options.allowModel } : (options as { models?: boolean }).models === false ? { allowedModels: [] } : {}),
    ...(options.allowPrompt ? { allowedPrompts: options.allowPrompt } : options.allPrompts ? { allowedPrompts: null } : {}),
    ...(Object.keys(quotas).length ? { quotas } : {}),
  };
  if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --name, --allow-model, --allow-prompt, a limit or --clear-limit');
  print(await adminApi<TenantView>('PATCH', `/tenants/${encodeURIComponent(id)}`, body), options.json, `updated tenant ${id}`);
}

async function list(options: { json?: boolean }): Promise<void> {
  const { tenants } = await adminApi<{ tenants: TenantView[] }>('GET', '/tenants');
  if (options.json) return void process.stdout.write(`${JSON.stringify({ tenants })}\n`);
  if (tenants.length === 0) return void process.stdout.write('no tenants yet: npx ballast tenants create <id>\n');
  process.stdout.write(table(['tenant', 'name', 'models', 'prompts', 'limits'], tenants.map((t) => [t.id, t.name, t.allowedModels.join(',') || '-', t.allowedPrompts?.join(',') ?? 'all', limitsText(t.quotas)])));
}

async function show(id: string, options: { json?: boolean }): Promise<void> {
  print(await adminApi<TenantView>('GET', `/tenants/${encodeURIComponent(id)}`), options.json);
}

function limitsText(quotas: Record<string, number>): string {
  return Object.entries(quotas).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
}

function print(t: TenantView, json: boolean | undefined, headline?: string): void {
  if (json) return void process.stdout.write(`${JSON.stringify(t)}\n`);
  const lines = [
    ...(headline ? [headline] : []),
    `tenant   ${t.id} (${t.name}), created ${t.createdAt}`,
    `models   ${t.allowedModels.join(', ') || 'none (registered prompts only)'}`,
    `prompts  ${t.allowedPrompts === null ? 'every registered prompt' : t.allowedPrompts.join(', ') || 'none'}`,
    `limits   ${limitsText(t.quotas)}`,
  ];
  if (t.keys) {
    lines.push(t.keys.length ? `keys\n${table(['id', 'prefix', 'label', 'created', 'revoked'], t.keys.map((k) => [k.id, `${k.prefix}…`, k.label ?? '-', k.createdAt, k.revokedAt ?? '-'])).trimEnd().replace(/^/gm, '  ')}` : 'keys     none: npx ballast keys issue ' + t.id);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
