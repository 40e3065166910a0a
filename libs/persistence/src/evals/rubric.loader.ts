import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { z } from 'zod';
import { BallastError, ERROR_CODES, withJsonFormats } from '#contracts';

const Score = z.number().int().min(1).max(5);

/** What a criterion measures; `custom` for anything else. Dashboards group by it. */
export const CRITERION_KINDS = ['accuracy', 'helpfulness', 'tone', 'safety', 'format', 'custom'] as const;

export const RubricCriterion = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
  kind: z.enum(CRITERION_KINDS).default('custom'),
  description: z.string().min(1),
  weight: z.number().positive().default(1),
  anchors: z
    .record(z.string().regex(/^[1-5]$/, 'anchors are keyed "1" to "5"'), z.string().min(1))
    .refine((a) => Object.keys(a).length === 5, { message: 'give an anchor for each score 1-5' }),
});
export type RubricCriterion = z.infer<typeof RubricCriterion>;

/**
 * A judging rubric (`rubrics/<name>.yaml`): criteria scored 1-5 with an anchored description per
 * score, the judge's prompt and the JSON Schema its verdict must match. The eval harness's `judge`
 * assertion and the judge service read the same format through `loadRubric`.
 */
export const Rubric = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits and . _ -'),
    /** Bumped on any change to criteria, anchors or prompt; quality scores record it. */
    version: z.number().int().positive().default(1),
    description: z.string().optional(),
    /** The judge model for this rubric; default: BALLAST_JUDGE_MODEL (judge service) or the prompt's model (evals). */
    model: z.string().min(1).optional(),
    criteria: z.array(RubricCriterion).min(1),
    /** The judge's system prompt; `{{criteria}}` becomes the criteria with their anchors. */
    judgePrompt: z.string().min(1).refine((p) => p.includes('{{criteria}}'), { message: 'must contain {{criteria}} (where the anchored criteria go)' }),
    /** The system prompt for comparing two answers; default: a built-in one over the same criteria. */
    pairwisePrompt: z.string().min(1).refine((p) => p.includes('{{criteria}}'), { message: 'must contain {{criteria}}' }).optional(),
    /** The verdict's JSON Schema; it must require a score (1-5) per criterion under `scores`. */
    verdictSchema: z.record(z.string(), z.unknown()),
  })
  .strict()
  .superRefine((rubric, ctx) => {
    const names = rubric.criteria.map((c) => c.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['criteria'], message: `criterion '${dup}' is listed twice` });
    const problem = verdictSchemaProblem(rubric.verdictSchema, names);
    if (problem) ctx.addIssue({ code: 'custom', path: ['verdictSchema'], message: problem });
  });
export type Rubric = z.infer<typeof Rubric>;

/** What the judge answers, once it matched `verdictSchema`. */
export interface RubricVerdict {
  scores: Record<string, number>;
  reasoning?: string;
  /** Optional one-line reason per criterion. */
  rationales?: Record<string, string>;
}

export const RubricVerdict = z.object({
  scores: z.record(z.string(), Score),
  reasoning: z.string().optional(),
  rationales: z.record(z.string(), z.string()).optional(),
});

const ajv = withJsonFormats(new Ajv2020({ strict: false, allErrors: true }));

function verdictSchemaProblem(schema: Record<string, unknown>, criteria: readonly string[]): string | null {
  try {
    ajv.compile(schema);
  } catch (error) {
    return `not a valid JSON Schema: ${(error as Error).message.split('\n')[0]}`;
  }
  const scores = (schema['properties'] as Record<string, unknown> | undefined)?.['scores'] as Record<string, unknown> | undefined;
  const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
  if (!scores || !required.includes('scores')) return 'must require a "scores" object';
  const scoreRequired = Array.isArray(scores['required']) ? (scores['required'] as unknown[]) : [];
  const missing = criteria.filter((c) => !scoreRequired.includes(c));
  if (missing.length > 0) return `scores must require every criterion; missing: ${missing.join(', ')}`;
  return null;
}

/** @throws BallastError `ballast.judge.rubric_invalid` naming the file and the field */
export async function loadRubric(rubricsDir: string, name: string): Promise<Rubric> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw invalid(`rubric name '${name}' is not valid (lower-case letters, digits and . _ -)`);
  const path = join(rubricsDir, `${name}.yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`rubric '${name}' not found: ${path} does not exist`);
    throw error;
  }
  const rubric = parseRubric(path, text);
  if (rubric.name !== name) throw invalid(`${path}: name: is '${rubric.name}', but the file is named '${name}.yaml'`);
  return rubric;
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
    if (s === undefined) throw new BallastError(ERROR_CODES.judgeInvalidVerdict, `the judge's verdict has no score for '${c.name}'`);
    total += s * c.weight;
    weights += c.weight;
  }
  return total / weights;
}

function invalid(message: string): BallastError {
  return new BallastError(ERROR_CODES.rubricInvalid, message);
}
