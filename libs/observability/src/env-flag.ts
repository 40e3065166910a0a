/** Reads an opt-in switch the way `#config`'s `bool()` does: only `true` or `1` turn it on. */
export function envFlag(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}
