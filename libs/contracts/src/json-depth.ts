/**
 * How deeply JSON may nest objects and arrays: a request (body, `LlmRequest`, Kafka payload) or a
 * structured answer nested deeper is refused before recursive code (serialisers, schema validators,
 * canonical hashing) can overflow the stack on it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of a parsed JSON value (`{}` and `[]` are one level, scalars none), without
 * recursion; stops counting once past `limit`, so it is cheap on any depth.
 *
 * @example depthOf({ a: [[1]] }) > MAX_JSON_DEPTH // false: the depth is 3
 */
export function depthOf(value: unknown, limit: number = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
