import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { BallastError, ERROR_CODES } from '#contracts';

const Score = z.number().int().min(1).max(5);

/**
 * A judging rubric (`rubrics/<name>.yaml`): criteria scored 1-5 with an anchored description per
 * score, the judge's prompt and the JSON Schema its verdict must match. Eval runs and the judge
 * service read the same format.
 */
export const Rubric = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    description: z.string().optional(),
    /** The judge model; default: the model of the prompt being judged. */
    model: z.string().min(1).optional(),
    criteria: z
      .array(
        z.object({
          name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
          description: z.string().min(1),
          weight: z.number().positive().default(1),
          anchors: z.record(z.string().regex(/^[1-5]$/), z.string().min(1)).refine((a) => Object.keys(a).length === 5, { message: 'give an anchor for each score 1-5' }),
        }),
      )
      .min(1),
    /** The judge's system prompt; `{{criteria}}` becomes the criteria with their anchors. */
    judgePrompt: z.string().min(1),
    /** The verdict's JSON Schema; it must at least require a score (1-5) per criterion. */
    verdictSchema: z.record(z.string(), z.unknown()),
  })
  .strict();
export type Rubric = z.infer<typeof Rubric>;

/** What the judge answers, once it matched `verdictSchema`. */
export interface RubricVerdict {
  scores: Record<string, number>;
  reasoning?: string;
}

export const RubricVerdict = z.object({ scores: z.record(z.string(), Score), reasoning: z.string().optional() });

/** @throws BallastError `ballast.invalid_request` naming the file and the field */
export async function loadRubric(rubricsDir: string, name: string): Promise<Rubric> {
  const path = join(rubricsDir, `${name}.yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`rubric '${name}' not found: ${path} does not exist`);
    throw error;
  }
  return parseRubric(path, text);
}

export function parseRubric(path: string, text: string): Rubric {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw invalid(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = Rubric.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`${path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The criteria as the judge reads them: one block per criterion with its anchored scores. */
export function renderCriteria(rubric: Rubric): string {
  return rubric.criteria
    .map((c) => `${c.name}: ${c.description}\n${Object.entries(c.anchors).sort().map(([s, d]) => `  ${s} = ${d}`).join('\n')}`)
    .join('\n\n');
}

/** The weighted mean score (1-5) of a verdict; a criterion the verdict leaves out is an error. */
export function rubricScore(rubric: Rubric, verdict: RubricVerdict): number {
  let total = 0;
  let weights = 0;
  for (const c of rubric.criteria) {
    const s = verdict.scores[c.name];
    if (s === undefined) throw invalid(`the judge's verdict has no score for '${c.name}'`);
    total += s * c.weight;
    weights += c.weight;
  }
  return total / weights;
}

function invalid(message: string): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message);
}
