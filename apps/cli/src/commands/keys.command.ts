/**
 * `npx ballast keys issue | list | revoke`: a tenant's API keys through a running ingress's admin
 * API. A key is printed once, when issued; only its sha256 and a prefix are stored.
 *
 *   npx ballast keys issue acme --label ci
 *   npx ballast keys list acme
 *   npx ballast keys revoke 5f0c…   (refused by every ingress replica at its next change-log poll, every 250 ms)
 */
import type { Command } from 'commander';
import { action, commandGroup } from '../cli.js';
import { ADMIN_API_ENVIRONMENT, adminApi, table } from '../admin-api.client.js';

interface KeyView {
  id: string;
  tenantId: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export function register(program: Command): void {
  const keys = commandGroup(program, 'keys', "tenants' API keys on a running ingress (keys issue, list, revoke)");
  keys
    .command('issue')
    .summary('issue a new API key for a tenant: printed once, never shown again')
    .description('Issues a new API key for the tenant and prints it once on stdout; only its sha256 and a prefix are stored.')
    .argument('<tenant>', 'tenant id')
    .option('--label <label>', 'what the key is for, e.g. ci or prod')
    .option('--json', 'print {"key": ..., "id": ..., "prefix": ...}')
    .addHelpText('after', `${ADMIN_API_ENVIRONMENT}\n\nExample:\n  npx ballast keys issue acme --label prod`)
    .action(action(issue));
  keys
    .command('list')
    .summary("a tenant's keys: id, prefix, label, created, revoked (never the key)")
    .argument('<tenant>', 'tenant id')
    .option('--json', 'print {"keys": [...]}')
    .addHelpText('after', ADMIN_API_ENVIRONMENT)
    .action(action(list));
  keys
    .command('revoke')
    .summary('revoke a key by id (from keys list): refused by every ingress replica at its next change-log poll (every 250 ms)')
    .argument('<id>', 'the key id')
    .option('--json', 'print the revoked key as JSON')
    .addHelpText('after', ADMIN_API_ENVIRONMENT)
    .action(action(revoke));
}

async function issue(tenant: string, options: { label?: string; json?: boolean }): Promise<void> {
  const issued = await adminApi<KeyView & { key: string }>('POST', `/tenants/${encodeURIComponent(tenant)}/keys`, options.label ? { label: options.label } : {});
  if (options.json) return void process.stdout.write(`${JSON.stringify({ key: issued.key, id: issued.id, tenantId: issued.tenantId, prefix: issued.prefix, label: issued.label })}\n`);
  process.stdout.write(`${issued.key}\n`);
  process.stderr.write(`issued key ${issued.id} (${issued.prefix}…) for tenant ${issued.tenantId}: store it now, it is not shown again\n`);
}

async function list(tenant: string, options: { json?: boolean }): Promise<void> {
  const { keys } = await adminApi<{ keys: KeyView[] }>('GET', `/tenants/${encodeURIComponent(tenant)}/keys`);
  if (options.json) return void process.stdout.write(`${JSON.stringify({ keys })}\n`);
  if (keys.length === 0) return void process.stdout.write(`tenant ${tenant} has no keys: npx ballast keys issue ${tenant}\n`);
  process.stdout.write(table(['id', 'prefix', 'label', 'created', 'revoked'], keys.map((k) => [k.id, `${k.prefix}…`, k.label ?? '-', k.createdAt, k.revokedAt ?? '-'])));
}

async function revoke(id: string, options: { json?: boolean }): Promise<void> {
  const key = await adminApi<KeyView>('DELETE', `/keys/${encodeURIComponent(id)}`);
  process.stdout.write(options.json ? `${JSON.stringify(key)}\n` : `revoked key ${key.id} (${key.prefix}…) of tenant ${key.tenantId} at ${key.revokedAt}\n`);
}
