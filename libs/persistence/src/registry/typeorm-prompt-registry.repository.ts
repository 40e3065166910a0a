import { In, type DataSource, type EntityManager } from 'typeorm';
import { LabelEventEntity } from '../entities/label-event.entity.js';
import { PromptLabelEntity, type LabelTraffic } from '../entities/prompt-label.entity.js';
import { PromptVersionEntity } from '../entities/prompt-version.entity.js';
import { PromptEntity } from '../entities/prompt.entity.js';
import { promptContentHash } from '../prompts/content-hash.js';
import { parsePromptDefinition } from '../prompts/prompt-definition.parser.js';
import type { PromptDefinition, PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import { planLabelChange, PROMOTING_CHANGES } from './label-change.js';
import type {
  LabelChangeOptions,
  LabelEvent,
  LabelOperation,
  LabelResolution,
  PromptRegistryRepository,
  PromptVersion,
  PromptSelector,
  PromptSummary,
  PublishOptions,
  PublishResult,
  ResolvedPromptVersion,
} from './prompt-registry.repository.js';
import { checkLabelChange, operationVersion, selectorLabel } from './registry-input.js';
import { promptNotFound, versionNotFound } from './registry.errors.js';
import { toLabelEvent, toPromptVersion, toVersionRow } from './prompt-version.mapper.js';

/**
 * The registry on Postgres. Writers of one prompt serialise on its `prompts` row (SELECT ... FOR
 * UPDATE), which makes max(version)+1 safe; the unique (name, content_hash) is the backstop.
 * Every query runs on the transaction's manager: with a pool of one, anything else would deadlock.
 */
export class TypeormPromptRegistryRepository implements PromptRegistryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async publish(input: PromptDefinition | PromptDefinitionInput, options: PublishOptions = {}): Promise<PublishResult> {
    const def = parsePromptDefinition(input);
    const contentHash = promptContentHash(def);
    return this.dataSource.transaction(async (m) => {
      await m.createQueryBuilder().insert().into(PromptEntity).values({ name: def.name }).orIgnore().execute();
      await lockPrompt(m, def.name);
      const existing = await m.findOne(PromptVersionEntity, { where: { name: def.name, contentHash }, select: { version: true } });
      if (existing) return { version: existing.version, created: false, contentHash };
      const raw: { max: number | null } | undefined = await m
        .createQueryBuilder(PromptVersionEntity, 'v')
        .select('MAX(v.version)', 'max')
        .where('v.name = :name', { name: def.name })
        .getRawOne();
      const version = (raw?.max ?? 0) + 1;
      await m.insert(PromptVersionEntity, toVersionRow(def, version, contentHash, options.actor ?? 'system', options.sourceCommit ?? null));
      return { version, created: true, contentHash };
    });
  }

  async resolve(name: string, selector: PromptSelector = {}): Promise<ResolvedPromptVersion | null> {
    const label = selectorLabel(selector);
    const query = this.dataSource.manager.createQueryBuilder(PromptVersionEntity, 'v').where('v.name = :name', { name });
    if (label === null) query.andWhere('v.version = :version', { version: selector.version });
    else query.innerJoin(PromptLabelEntity, 'l', 'l.name = v.name AND l.version = v.version AND l.label = :label', { label });
    const row = await query.getOne();
    return row ? { ...toPromptVersion(row), label } : null;
  }

  async moveLabel(name: string, label: string, version: number, actor: string, reason: string | null = null): Promise<LabelEvent | null> {
    return this.changeLabel(name, label, { kind: 'move', version }, { actor, reason });
  }

  async changeLabel(name: string, label: string, operation: LabelOperation, options: LabelChangeOptions): Promise<LabelEvent | null> {
    checkLabelChange(label, operation, options.actor);
    return this.dataSource.transaction(async (m) => {
      // Every change of a prompt's labels holds this row lock, so each plans on the state the last one left.
      if (!(await lockPrompt(m, name))) throw promptNotFound(name);
      const version = operationVersion(operation);
      if (version !== undefined && !(await m.exists(PromptVersionEntity, { where: { name, version } }))) throw versionNotFound(name, version);
      const current = await m.findOne(PromptLabelEntity, { where: { name, label } });
      const history = await m.find(LabelEventEntity, { where: { name, label }, order: { id: 'ASC' }, select: { kind: true, fromVersion: true, toVersion: true } });
      const plan = planLabelChange(name, label, current, history, operation);
      if (!plan) return null;
      await m
        .createQueryBuilder()
        .insert()
        .into(PromptLabelEntity)
        .values({ name, label, version: plan.toVersion, traffic: plan.traffic, updatedAt: () => 'now()' })
        .orUpdate(['version', 'traffic', 'updated_at'], ['name', 'label'])
        .execute();
      const event = m.create(LabelEventEntity, {
        name,
        label,
        kind: plan.kind,
        fromVersion: plan.fromVersion,
        toVersion: plan.toVersion,
        traffic: plan.traffic,
        actor: options.actor,
        reason: options.reason ?? null,
        forced: options.forced ?? false,
      });
      return toLabelEvent(await m.save(event));
    });
  }

  async resolveLabel(name: string, label: string): Promise<LabelResolution | null> {
    const m = this.dataSource.manager;
    const row = await m.findOne(PromptLabelEntity, { where: { name, label } });
    if (!row) return null;
    const wanted = row.traffic ? [row.version, row.traffic.version] : [row.version];
    const versions = await m.find(PromptVersionEntity, { where: { name, version: In(wanted) } });
    const byNumber = new Map(versions.map((v) => [v.version, toPromptVersion(v)]));
    const own = byNumber.get(row.version);
    if (!own) return null;
    const candidate = row.traffic ? byNumber.get(row.traffic.version) : undefined;
    const moved = await m.findOne(LabelEventEntity, { where: { name, label, toVersion: row.version, kind: In(PROMOTING_CHANGES) }, order: { id: 'DESC' } });
    return { label, version: own, canary: row.traffic && candidate ? { version: candidate, share: row.traffic.share } : null, promotedAt: moved?.createdAt ?? null };
  }

  async listVersions(name: string): Promise<PromptVersion[]> {
    const rows = await this.dataSource.manager.find(PromptVersionEntity, { where: { name }, order: { version: 'ASC' } });
    return rows.map(toPromptVersion);
  }

  async listLabelEvents(name: string): Promise<LabelEvent[]> {
    const rows = await this.dataSource.manager.find(LabelEventEntity, { where: { name }, order: { id: 'ASC' } });
    return rows.map(toLabelEvent);
  }

  async list(): Promise<PromptSummary[]> {
    const m = this.dataSource.manager;
    const [prompts, latest, labels] = await Promise.all([
      m.find(PromptEntity),
      m
        .createQueryBuilder(PromptVersionEntity, 'v')
        .select('v.name', 'name')
        .addSelect('MAX(v.version)', 'latest')
        .groupBy('v.name')
        .getRawMany<{ name: string; latest: number }>(),
      m.find(PromptLabelEntity),
    ]);
    const latestByName = new Map(latest.map((r) => [r.name, Number(r.latest)]));
    // Sorted here, not in SQL: the database collation would order '-' and '.' differently from the fake.
    return prompts
      .filter((p) => latestByName.has(p.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => ({
        name: p.name,
        createdAt: p.createdAt,
        latestVersion: latestByName.get(p.name) as number,
        labels: Object.fromEntries(labels.filter((l) => l.name === p.name).map((l) => [l.label, l.version])),
        canaries: Object.fromEntries(labels.filter((l) => l.name === p.name && l.traffic).map((l) => [l.label, l.traffic as LabelTraffic])),
      }));
  }
}

async function lockPrompt(m: EntityManager, name: string): Promise<boolean> {
  return (await m.findOne(PromptEntity, { where: { name }, lock: { mode: 'pessimistic_write' } })) !== null;
}
