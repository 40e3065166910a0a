/**
 * Whether `model` matches one of `patterns`: an exact name, a prefix ending in `*` (`gpt-4o*`,
 * `claude-*`), or `*` for any model.
 */
export function matchesModel(patterns: readonly string[], model: string): boolean {
  for (const pattern of patterns) {
    if (pattern === '*' || pattern === model) return true;
    if (pattern.endsWith('*') && model.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}
