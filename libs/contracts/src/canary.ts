import type { ChatMessage } from './chat.js';

/** Every canary token starts with this (`cnry-0123456789abcdef`); the guardrail draws the rest at random. */
export const CANARY_PREFIX = 'cnry-';

/** How a canary token is hidden in a system prompt: an HTML comment after a blank line. */
export const canaryMarker = (token: string): string => `\n\n<!-- ${token} -->`;

/** Hides the canary at the end of the first system message; no system message, no canary. */
export function insertCanary(messages: readonly ChatMessage[], token: string): ChatMessage[] | null {
  const index = messages.findIndex((m) => m.role === 'system');
  if (index < 0) return null;
  return messages.map((m, i) => (i === index ? { ...m, content: `${m.content}${canaryMarker(token)}` } : m));
}

/** `text` without the marker of `token` (for verbatim system-prompt leak checks). */
export function withoutCanary(text: string, token: string | undefined): string {
  return token ? text.split(canaryMarker(token)).join('') : text;
}

/**
 * The messages as they were before `insertCanary(messages, token)`: what the exact-match cache
 * hashes, so two identical requests with different random canaries share an entry.
 *
 * @example messagesWithoutCanary(insertCanary(messages, token)!, token) // equal to `messages`
 */
export function messagesWithoutCanary(messages: readonly ChatMessage[], token: string | undefined): readonly ChatMessage[] {
  if (!token) return messages;
  const marker = canaryMarker(token);
  return messages.map((m) => (m.content.includes(marker) ? { ...m, content: withoutCanary(m.content, token) } : m));
}
