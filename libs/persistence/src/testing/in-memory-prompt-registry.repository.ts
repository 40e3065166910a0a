import { promptContentHash } from '../prompts/content-hash.js';
import { parsePromptDefinition } from '../prompts/prompt-definition.parser.js';
import type { PromptDefinition, PromptDefinitionInput } from '../prompts/prompt-definition.schema.js';
import type {
  LabelEvent,
  PromptRegistryRepository,
  PromptSelector,
  PromptSummary,
  PromptVersion,
  PublishOptions,
  PublishResult,
  ResolvedPromptVersion,
} from '../registry/prompt-registry.repository.js';
import { checkLabelMove, selectorLabel } from '../registry/registry-input.js';
import { promptNotFound, versionNotFound } from '../registry/registry.errors.js';

interface StoredPrompt {
  createdAt: Date;
  versions: PromptVersion[];
  labels: Map<string, number>;
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
    const version = label === null ? selector.version : prompt?.labels.get(label);
    const found = prompt?.versions.find((v) => v.version === version);
    return found ? { ...structuredClone(found), label } : null;
  }

  async moveLabel(name: string, label: string, version: number, actor: string, reason: string | null = null): Promise<LabelEvent | null> {
    checkLabelMove(label, version, actor);
    const prompt = this.prompts.get(name);
    if (!prompt) throw promptNotFound(name);
    if (!prompt.versions.some((v) => v.version === version)) throw versionNotFound(name, version);
    const from = prompt.labels.get(label) ?? null;
    if (from === version) return null;
    prompt.labels.set(label, version);
    const event = { id: this.events.length + 1, name, label, fromVersion: from, toVersion: version, actor, reason, createdAt: this.now() };
    this.events.push(event);
    return { ...event };
  }

  async listLabelEvents(name: string): Promise<LabelEvent[]> {
    return this.events.filter((e) => e.name === name).map((e) => ({ ...e }));
  }

  async list(): Promise<PromptSummary[]> {
    return [...this.prompts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, p]) => ({
        name,
        createdAt: p.createdAt,
        latestVersion: p.versions.length,
        labels: Object.fromEntries(p.labels),
      }));
  }
}
