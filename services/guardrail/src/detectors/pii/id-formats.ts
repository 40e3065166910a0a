import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PiiEntity } from '../../policy/guardrail-policy.js';
import { ID_CHECKSUMS } from './pii.validators.js';

/** The shipped id formats; the build copies `services/guardrail/data/` to `dist/`. */
export const SHIPPED_ID_FORMATS = fileURLToPath(new URL('../../../data/pii-id-formats.json', import.meta.url));

const IdFormatsFile = z.strictObject({
  description: z.string().min(1),
  formats: z
    .array(
      z.strictObject({
        entity: PiiEntity,
        name: z.string().min(1),
        pattern: z.string().min(1).max(500),
        checksum: z.enum(Object.keys(ID_CHECKSUMS) as [string, ...string[]]).optional(),
        context: z.array(z.string().min(1).max(60)).min(1).optional(),
        /** Match upper case only (formats that are always written in capitals): cheaper, and fewer look-alikes. */
        caseSensitive: z.boolean().default(false),
        score: z.number().min(0).max(1),
      }),
    )
    .min(1),
});

/** One compiled id format: where it matches, what must hold for the value to count. */
export interface IdFormat {
  entity: PiiEntity;
  name: string;
  re: RegExp;
  checksum?: (compact: string) => boolean;
  /** Words that must stand just before the value (lower case, whole words). */
  context?: RegExp;
  contextWords?: readonly string[];
  score: number;
}

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Reads and compiles the id formats (`data/pii-id-formats.json`).
 *
 * @throws Error naming the file and the entry that is malformed or whose pattern does not compile
 */
export function loadIdFormats(path = SHIPPED_ID_FORMATS): IdFormat[] {
  const parsed = IdFormatsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`pii-id-formats.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data.formats.map((f, i) => {
    let re: RegExp;
    try {
      re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${f.pattern})(?![\\p{L}\\p{N}])`, f.caseSensitive ? 'gu' : 'giu');
    } catch (error) {
      throw new Error(`pii-id-formats.json: formats.${i}.pattern: ${(error as Error).message}`, { cause: error });
    }
    return {
      entity: f.entity,
      name: f.name,
      re,
      ...(f.checksum ? { checksum: ID_CHECKSUMS[f.checksum]! } : {}),
      ...(f.context ? { contextWords: f.context.map((w) => w.toLowerCase()), context: new RegExp(`(?:^|[^\\p{L}])(?:${f.context.map(escape).join('|')})(?:[^\\p{L}]|$)`, 'u') } : {}),
      score: f.score,
    };
  });
}

/** How far before a value its context words may stand. */
const CONTEXT_WINDOW = 48;

/** Id values in `s` (the clean view's text), as candidate spans. */
export function findIds(s: string, formats: readonly IdFormat[], add: (entity: PiiEntity, start: number, end: number, score: number) => void): void {
  let lower: string | undefined;
  for (const f of formats) {
    if (f.context) {
      lower ??= s.toLowerCase();
      // No context word anywhere: no value of this format can count, so skip the pattern.
      if (!f.contextWords!.some((w) => lower!.includes(w))) continue;
    }
    for (const m of s.matchAll(f.re)) {
      if (f.checksum && !f.checksum(m[0].replace(/[\s-]/g, ''))) continue;
      if (f.context && !f.context.test(lower!.slice(Math.max(0, m.index - CONTEXT_WINDOW), m.index))) continue;
      add(f.entity, m.index, m.index + m[0].length, f.score);
    }
  }
}
