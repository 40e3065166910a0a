import { promptContentHash } from '../prompts/content-hash.js';
import { parsePromptDefinition } from '../prompts/prompt-definition.parser.js';
import type { PromptDefinition, PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import { planLabelChange, PROMOTING_CHANGES } from '../registry/label-change.js';
import type {
  LabelChangeOptions,
  LabelEvent,
  LabelOperation,
  LabelResolution,
  LabelState,
  PromptRegistryRepository,
  PromptSelector,
  PromptSummary,
  PromptVersion,
  PublishOptions,
  PublishResult,
  ResolvedPromptVersion,
} from '../registry/prompt-registry.repository.js';
import { checkLabelChange, operationVersion, selectorLabel } from '../registry/registry-input.js';
import { promptNotFound, versionNotFound } from '../registry/registry.errors.js';

interface StoredPrompt {
  createdAt: Date;
  versions: PromptVersion[];
  labels: Map<string, LabelState>;
}

/** The registry in memory, for unit tests; passes the same contract suite as the Postgres one. */
export class InMemoryPromptRegistryRepository implements PromptRegistryRepository {
  private readonly prompts = new Map<string, StoredPrompt>();
  private readonly events: LabelEvent[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  async publish(input: PromptDefinition | PromptDefinitionInput, options: PublishOptions = {}): Promise<PublishResult> {
    const def = parsePromptDefinition(input);
    const contentHash = promptContentHash(def);
    const prompt: StoredPrompt = this.prompts.get(def.name) ?? { createdAt: this.now(), versions: [], labels: new Map() };
    this.prompts.set(def.name, prompt);
    const existing = prompt.versions.find((v) => v.contentHash === contentHash);
    if (existing) return { version: existing.version, created: false, contentHash };
    const version = prompt.versions.length + 1;
    prompt.versions.push(
      structuredClone({
        name: def.name,
        version,
        contentHash,
        template: def.template,
        model: def.model,
        params: def.params,
        responseFormat: def.responseFormat,
        policies: def.policies,
        createdAt: this.now(),
        createdBy: options.actor ?? 'system',
        sourceCommit: options.sourceCommit ?? null,
      }),
    );
    return { version, created: true, contentHash };
  }

  async resolve(name: string, selector: PromptSelector = {}): Promise<ResolvedPromptVersion | null> {
    const label = selectorLabel(selector);
    const prompt = this.prompts.get(name);
    const version = label === null ? selector.version : prompt?.labels.get(label)?.version;
    const found = prompt?.versions.find((v) => v.version === version);
    return found ? { ...structuredClone(found), label } : null;
  }

  async moveLabel(name: string, label: string, version: number, actor: string, reason: string | null = null): Promise<LabelEvent | null> {
    return this.changeLabel(name, label, { kind: 'move', version }, { actor, reason });
  }

  async changeLabel(name: string, label: string, operation: LabelOperation, options: LabelChangeOptions): Promise<LabelEvent | null> {
    checkLabelChange(label, operation, options.actor);
    const prompt = this.prompts.get(name);
    if (!prompt) throw promptNotFound(name);
    const version = operationVersion(operation);
    if (version !== undefined && !prompt.versions.some((v) => v.version === version)) throw versionNotFound(name, version);
    const current = prompt.labels.get(label) ?? null;
    const history = this.events.filter((e) => e.name === name && e.label === label);
    const plan = planLabelChange(name, label, current, history, operation);
    if (!plan) return null;
    prompt.labels.set(label, { label, version: plan.toVersion, traffic: plan.traffic });
    const event: LabelEvent = {
      id: this.events.length + 1,
      name,
      label,
      ...plan,
      actor: options.actor,
      reason: options.reason ?? null,
      forced: options.forced ?? false,
      createdAt: this.now(),
    };
    this.events.push(event);
    return copyEvent(event);
  }

  async resolveLabel(name: string, label: string): Promise<LabelResolution | null> {
    const prompt = this.prompts.get(name);
    const state = prompt?.labels.get(label);
    const own = state && prompt?.versions.find((v) => v.version === state.version);
    if (!state || !own) return null;
    const candidate = state.traffic && prompt?.versions.find((v) => v.version === state.traffic?.version);
    return {
      label,
      version: structuredClone(own),
      canary: state.traffic && candidate ? { version: structuredClone(candidate), share: state.traffic.share } : null,
      promotedAt: this.events.findLast((e) => e.name === name && e.label === label && e.toVersion === state.version && PROMOTING_CHANGES.includes(e.kind))?.createdAt ?? null,
    };
  }

  async listVersions(name: string): Promise<PromptVersion[]> {
    return structuredClone(this.prompts.get(name)?.versions ?? []);
  }

  async listLabelEvents(name: string): Promise<LabelEvent[]> {
    return this.events.filter((e) => e.name === name).map(copyEvent);
  }

  async list(): Promise<PromptSummary[]> {
    return [...this.prompts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, p]) => ({
        name,
        createdAt: p.createdAt,
        latestVersion: p.versions.length,
        labels: Object.fromEntries([...p.labels.values()].map((l) => [l.label, l.version])),
        canaries: Object.fromEntries([...p.labels.values()].flatMap((l) => (l.traffic ? [[l.label, { ...l.traffic }]] : []))),
      }));
  }
}

function copyEvent(e: LabelEvent): LabelEvent {
  return { ...e, traffic: e.traffic && { ...e.traffic } };
}
