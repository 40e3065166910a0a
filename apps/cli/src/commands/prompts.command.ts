/**
 * `ballast prompts push|list|show|diff|promote|rollback|history`: prompts as code from the command
 * line, through the same use case as the admin API and the seed (`PromptRegistryService`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { LabelChangeResult, LabelEvent, PromptVersion } from '#persistence';
import { CliError, UsageError, action, commandGroup } from '../cli.js';
import { diffVersions } from '../prompts/prompt-diff.js';
import { actorFrom, openRegistrySession, REGISTRY_ENVIRONMENT, type RegistrySession } from '../prompts/registry-session.js';

interface JsonOption {
  json?: boolean;
}

export function register(program: Command): void {
  const group = commandGroup(program, 'prompts', 'publish, promote, roll back and inspect prompt versions');
  group.addHelpText('after', REGISTRY_ENVIRONMENT);
  const json = (c: Command) => c.option('--json', 'print JSON for scripts').addHelpText('after', REGISTRY_ENVIRONMENT);

  json(group.command('push'))
    .summary('validate prompts/*.yaml and publish the changed ones')
    .description('Validates every prompt file in the folder, publishes the ones whose content changed as new versions, and prints what changed. Labels do not move: promote next.')
    .argument('[dir]', 'folder of prompt files', 'prompts')
    .option('--dry-run', 'validate and show what would change, publish nothing')
    .action(action(push));
  json(group.command('list')).summary('every prompt with its latest version and labels').action(action(list));
  json(group.command('show'))
    .summary('one version of a prompt: name, name@version or name:label (default :production)')
    .argument('<prompt>', 'name, name@version or name:label')
    .action(action(show));
  json(group.command('diff'))
    .summary('what changed between two versions: messages, model, params, policies')
    .argument('<name>', 'prompt name')
    .argument('<from>', 'version', positiveInt)
    .argument('<to>', 'version', positiveInt)
    .action(action(diff));
  json(group.command('promote'))
    .summary('move a label to a version, or start / finish a canary')
    .argument('<prompt>', 'name@version (just the name with --finish)')
    .requiredOption('--label <label>', 'the label to move, e.g. production')
    .option('--reason <text>', 'why; recorded in the history')
    .option('--canary <percent>', 'send this percent of requests (0-100) to the version; the rest keep the label', percent)
    .option('--finish', 'make the running canary the whole label')
    .option('--force', 'promote despite the promotion gate (needs --reason)')
    .action(action(promote));
  json(group.command('rollback'))
    .summary('end a running canary, or move the label back to its previous version')
    .argument('<name>', 'prompt name')
    .requiredOption('--label <label>', 'the label to roll back, e.g. production')
    .option('--reason <text>', 'why; recorded in the history')
    .action(action(rollback));
  json(group.command('history'))
    .summary('who moved which label from which version to which, why and when')
    .argument('<name>', 'prompt name')
    .action(action(history));
}

async function withRegistry<T>(run: (s: RegistrySession) => Promise<T>): Promise<T> {
  const session = await openRegistrySession();
  try {
    return await run(session);
  } catch (error) {
    const { BallastError } = await import('#contracts');
    if (error instanceof BallastError) throw new CliError(error.message);
    throw error;
  } finally {
    await session.close();
  }
}

async function push(dir: string, options: JsonOption & { dryRun?: boolean }): Promise<number> {
  const { BallastError } = await import('#contracts');
  const { loadPromptFiles, promptContentHash } = await import('#persistence');
  const files = await loadPromptFiles(dir).catch((error: unknown) => {
    if (error instanceof BallastError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError((error as Error).message);
    throw error;
  });
  if (files.length === 0) throw new CliError(`no prompt files (*.yaml, *.yml) in ${dir}`);
  return withRegistry(async ({ registry, changes }) => {
    const progress = new Progress(files.length, !options.json);
    const rows: { name: string; version: number; status: 'new' | 'unchanged'; file: string }[] = [];
    for (const file of files) {
      const { name } = file.definition;
      const versions = await registry.listVersions(name);
      const existing = versions.find((v) => v.contentHash === promptContentHash(file.definition));
      if (existing) rows.push({ name, version: existing.version, status: 'unchanged', file: file.path });
      else if (options.dryRun) rows.push({ name, version: (versions.at(-1)?.version ?? 0) + 1, status: 'new', file: file.path });
      else rows.push({ name, version: (await changes.publish(file.definition, { actor: actorFrom() })).version, status: 'new', file: file.path });
      progress.tick(name);
    }
    progress.done();
    if (options.json) return print({ dryRun: options.dryRun === true, prompts: rows });
    table(['prompt', 'version', options.dryRun ? 'would be' : 'status'], rows.map((r) => [r.name, `v${r.version}`, r.status === 'new' ? (options.dryRun ? 'new version' : 'published') : 'unchanged']));
    const created = rows.filter((r) => r.status === 'new').length;
    process.stdout.write(`${created} ${options.dryRun ? 'would be published' : 'published'}, ${rows.length - created} unchanged${created && !options.dryRun ? '; labels did not move: run ballast prompts promote' : ''}\n`);
    return 0;
  });
}

async function list(options: JsonOption): Promise<number> {
  return withRegistry(async ({ changes }) => {
    const prompts = await changes.list();
    if (options.json) return print({ prompts });
    if (prompts.length === 0) return say('no prompts yet: ballast prompts push\n');
    const labels = (p: (typeof prompts)[number]) =>
      Object.entries(p.labels)
        .map(([l, v]) => `${l}=v${v}${p.canaries[l] ? ` (canary v${p.canaries[l].version} ${pct(p.canaries[l].share)})` : ''}`)
        .join(', ') || '-';
    table(['prompt', 'latest', 'labels'], prompts.map((p) => [p.name, `v${p.latestVersion}`, labels(p)]));
    return 0;
  });
}

async function show(ref: string, options: JsonOption): Promise<number> {
  const parsed = parseRef(ref, 'any');
  return withRegistry(async ({ registry }) => {
    const version = await registry.resolve(parsed.name, parsed.version !== undefined ? { version: parsed.version } : { label: parsed.label ?? 'production' });
    if (!version) throw new CliError(`${ref}: no such prompt version or label (ballast prompts list shows what there is)`);
    const canary = version.label ? (await registry.resolveLabel(parsed.name, version.label))?.canary ?? null : null;
    if (options.json) return print({ ...version, canary: canary && { version: canary.version.version, share: canary.share } });
    process.stdout.write(
      `${version.name} v${version.version}${version.label ? ` (${version.label})` : ''}  model ${version.model}  by ${version.createdBy} ${version.createdAt.toISOString()}` +
        `${version.sourceCommit ? `  commit ${version.sourceCommit}` : ''}\n` +
        `${canary ? `canary: v${canary.version.version} gets ${pct(canary.share)} of requests\n` : ''}` +
        `params: ${JSON.stringify(version.params)}\n` +
        version.template.messages.map((m) => `--- ${m.role}\n${m.content}`).join('\n') +
        `\n${version.responseFormat ? `responseFormat: ${JSON.stringify(version.responseFormat)}\n` : ''}policies: ${JSON.stringify(version.policies)}\n`,
    );
    return 0;
  });
}

async function diff(name: string, from: number, to: number, options: JsonOption): Promise<number> {
  return withRegistry(async ({ registry }) => {
    const versions = await registry.listVersions(name);
    const pick = (n: number): PromptVersion => {
      const v = versions.find((x) => x.version === n);
      if (!v) throw new CliError(versions.length ? `${name} has no version ${n} (latest is v${versions.at(-1)!.version})` : `prompt '${name}' is not registered`);
      return v;
    };
    const sections = diffVersions(pick(from), pick(to));
    if (options.json) return print({ name, from, to, sections });
    if (sections.length === 0) return say(`${name} v${from} and v${to} have the same content\n`);
    process.stdout.write(`--- ${name} v${from}\n+++ ${name} v${to}\n`);
    for (const s of sections) process.stdout.write(`@@ ${s.section}\n${s.lines.map((l) => `${l.sign} ${l.text}`).join('\n')}\n`);
    return 0;
  });
}

async function promote(ref: string, options: JsonOption & { label: string; reason?: string; canary?: number; finish?: boolean; force?: boolean }): Promise<number> {
  const parsed = parseRef(ref, options.finish ? 'optional-version' : 'version');
  if (options.finish && options.canary !== undefined) throw new UsageError('give --canary or --finish, not both');
  return withRegistry(async (session) => {
    const result = await session.changes.promote(parsed.name, {
      label: options.label,
      actor: actorFrom(),
      reason: options.reason ?? null,
      ...(parsed.version !== undefined ? { version: parsed.version } : {}),
      ...(options.canary !== undefined ? { canaryPercent: options.canary } : {}),
      ...(options.finish ? { finish: true } : {}),
      ...(options.force ? { force: true } : {}),
    });
    return reportChange(session, parsed.name, options.label, result, options.json);
  });
}

async function rollback(name: string, options: JsonOption & { label: string; reason?: string }): Promise<number> {
  return withRegistry(async (session) => {
    const result = await session.changes.rollback(name, { label: options.label, actor: actorFrom(), reason: options.reason ?? null });
    return reportChange(session, name, options.label, result, options.json);
  });
}

async function history(name: string, options: JsonOption): Promise<number> {
  return withRegistry(async ({ changes }) => {
    const events = await changes.history(name);
    if (options.json) return print({ name, events });
    if (events.length === 0) return say(`${name}: no label has moved yet\n`);
    table(['when', 'label', 'change', 'from', 'to', 'who', 'why'], events.map((e) => [e.createdAt.toISOString(), e.label, describe(e), e.fromVersion === null ? '-' : `v${e.fromVersion}`, `v${e.toVersion}`, e.actor, e.reason ?? '']));
    return 0;
  });
}

function reportChange(session: RegistrySession, name: string, label: string, result: LabelChangeResult, json?: boolean): number {
  if (json) {
    print({ ...result, emitted: session.emits && result.event !== null });
  } else if (!result.event) {
    process.stdout.write(`${name}:${label} already is there: nothing changed\n`);
  } else {
    const e = result.event;
    const gate = { passed: 'passed', forced: 'forced (recorded)', not_configured: 'none configured', not_checked: 'not needed' }[result.gate];
    process.stdout.write(`${name}:${label} ${describe(e)}: ${e.fromVersion === null ? '' : `v${e.fromVersion} -> `}v${e.toVersion}; gate: ${gate}\n`);
  }
  if (result.event && !session.emits) {
    process.stderr.write('note: KAFKA_BROKERS is not set, so running ingress replicas see this within 60 s, not at once (against npm start, use the admin API)\n');
  }
  return 0;
}

function describe(e: LabelEvent): string {
  const base = { move: 'moved', canary_start: 'canary started', canary_finish: 'canary finished', rollback: 'rolled back' }[e.kind];
  return `${base}${e.traffic ? ` (v${e.traffic.version} ${pct(e.traffic.share)})` : ''}${e.forced ? ' [forced]' : ''}`;
}

/** `name`, `name@3`, `name:staging`. */
function parseRef(ref: string, want: 'any' | 'version' | 'optional-version'): { name: string; version?: number; label?: string } {
  const match = /^([^@:\s]+)(?:@(\d+)|:([^@:\s]+))?$/.exec(ref);
  if (!match || (want !== 'any' && match[3] !== undefined)) {
    throw new UsageError(`'${ref}' is not ${want === 'any' ? 'name, name@version or name:label' : 'name@version'}`);
  }
  if (want === 'version' && match[2] === undefined) throw new UsageError(`'${ref}' names no version: write ${ref}@<version>`);
  return { name: match[1]!, ...(match[2] !== undefined ? { version: Number(match[2]) } : {}), ...(match[3] !== undefined ? { label: match[3] } : {}) };
}

function positiveInt(raw: string): number {
  if (!/^[1-9]\d*$/.test(raw)) throw new InvalidArgumentError('Expected a version number (1, 2, ...).');
  return Number(raw);
}

function percent(raw: string): number {
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0 && n < 100)) throw new InvalidArgumentError('Expected a percentage above 0 and below 100.');
  return n;
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

function say(text: string): number {
  process.stdout.write(text);
  return 0;
}

function print(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
}

/** A one-line progress bar on stderr, only on a terminal, so pipes and --json stay clean. */
export class Progress {
  private done_ = 0;
  private readonly on: boolean;

  constructor(
    private readonly total: number,
    enabled: boolean,
  ) {
    this.on = enabled && process.stderr.isTTY === true && total > 1;
  }

  tick(what: string): void {
    this.done_++;
    if (!this.on) return;
    const width = 24;
    const filled = Math.round((this.done_ / this.total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done_}/${this.total} ${what.slice(0, 40).padEnd(40)}`);
  }

  done(): void {
    if (this.on) process.stderr.write('\r\u001b[2K');
  }
}
