import { createHash } from 'node:crypto';
import { messagesWithoutCanary, type PipelineState, type SemanticCacheRef } from '#contracts';
import { wordsOf } from '../semantic/text-terms.js';
import type { VectorScope } from '../semantic/vector.store.js';

/** Longer texts are not matched semantically: near-duplicates of long documents are rarely the same question. */
export const MAX_SEMANTIC_TEXT = 4_000;

/**
 * What the semantic cache embeds, and the hash of everything else that changes the answer.
 * A registered prompt: its longest string variable is embedded; the other variables, the client's
 * own messages and the parameters go into the hash. An ad-hoc chat: the last user turn is embedded;
 * every earlier message (the system prompt, the conversation so far) goes into the hash. Null when
 * there are no words to embed or the text is too long.
 */
export function semanticRefOf(state: PipelineState): SemanticCacheRef | null {
  const { request, rendered, prompt, guard } = state;
  const params = [rendered.temperature, rendered.maxTokens, rendered.responseFormat ?? null];
  let text: string;
  let rest: unknown;
  if (prompt) {
    const strings = Object.entries(request.variables)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    if (strings.length === 0) return null;
    const [name, value] = strings[0]!;
    text = value;
    const others = Object.entries(request.variables).filter(([k]) => k !== name).sort(([a], [b]) => (a < b ? -1 : 1));
    rest = ['prompt', name, others, request.messages.map((m) => [m.role, m.content])];
  } else {
    const messages = messagesWithoutCanary(rendered.messages, guard?.canary);
    const last = messages.at(-1);
    if (!last || last.role !== 'user') return null;
    text = last.content;
    rest = ['chat', messages.slice(0, -1).map((m) => [m.role, m.content])];
  }
  if (text.length > MAX_SEMANTIC_TEXT || wordsOf(text).length === 0) return null;
  const paramsHash = createHash('sha256').update(JSON.stringify(['sv1', params, rest])).digest('hex');
  return { text, paramsHash, model: rendered.model };
}

/** The hard filter of a look-up or a store. */
export function semanticScopeOf(tenantId: string, prompt: { name: string; version: number } | null, ref: SemanticCacheRef): VectorScope {
  return { tenantId, promptName: prompt?.name ?? null, promptVersion: prompt?.version ?? null, model: ref.model, paramsHash: ref.paramsHash };
}
