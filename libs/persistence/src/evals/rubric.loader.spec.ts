import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '#contracts';
import { loadRubric, parseRubric } from './rubric.loader.js';

const ANCHORS = { '1': 'bad', '2': 'poor', '3': 'fair', '4': 'good', '5': 'great' };
const VALID = {
  name: 'tiny-v1',
  version: 2,
  criteria: [{ name: 'accuracy', kind: 'accuracy', description: 'is it right', anchors: ANCHORS }],
  judgePrompt: 'Score it.\n{{criteria}}',
  verdictSchema: {
    type: 'object',
    required: ['scores'],
    properties: { scores: { type: 'object', required: ['accuracy'], properties: { accuracy: { type: 'integer', enum: [1, 2, 3, 4, 5] } } } },
  },
};

function errorOf(raw: unknown): { code: string; message: string } {
  try {
    parseRubric('rubrics/tiny-v1.yaml', JSON.stringify(raw));
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the rubric was accepted');
}

describe('rubric files', () => {
  it('load with their version, criterion kinds and defaults', () => {
    const rubric = parseRubric('rubrics/tiny-v1.yaml', JSON.stringify(VALID));
    expect(rubric.version).toBe(2);
    expect(rubric.criteria[0]).toMatchObject({ kind: 'accuracy', weight: 1 });
    expect(parseRubric('x.yaml', JSON.stringify({ ...VALID, version: undefined, criteria: [{ ...VALID.criteria[0], kind: undefined }] })).criteria[0]!.kind).toBe('custom');
  });

  it.each([
    ['an anchor missing', { ...VALID, criteria: [{ ...VALID.criteria[0], anchors: { '1': 'a', '2': 'b', '3': 'c', '4': 'd' } }] }, 'criteria.0.anchors: give an anchor for each score 1-5'],
    ['an unknown criterion kind', { ...VALID, criteria: [{ ...VALID.criteria[0], kind: 'vibes' }] }, 'criteria.0.kind'],
    ['a prompt without {{criteria}}', { ...VALID, judgePrompt: 'Score it.' }, 'judgePrompt: must contain {{criteria}}'],
    ['a verdict schema that does not require the criterion', { ...VALID, verdictSchema: { type: 'object', required: ['scores'], properties: { scores: { type: 'object' } } } }, 'verdictSchema: scores must require every criterion; missing: accuracy'],
    ['a verdict schema that is not JSON Schema', { ...VALID, verdictSchema: { type: 'objekt' } }, 'verdictSchema: not a valid JSON Schema'],
    ['an unknown field', { ...VALID, temperature: 0 }, '(file): Unrecognized key'],
  ])('refuse %s with the file, the field and the stable code', (_case, raw, message) => {
    const error = errorOf(raw);
    expect(error.code).toBe(ERROR_CODES.rubricInvalid);
    expect(error.message).toContain('rubrics/tiny-v1.yaml: ');
    expect(error.message).toContain(message);
  });

  it('refuse YAML that does not parse, and a file whose name differs from its rubric', async () => {
    expect(() => parseRubric('r.yaml', 'name: [unclosed')).toThrow(/r\.yaml: not valid YAML/);
    const dir = await mkdtemp(join(tmpdir(), 'rubrics-'));
    await writeFile(join(dir, 'other-v1.yaml'), JSON.stringify(VALID));
    await expect(loadRubric(dir, 'other-v1')).rejects.toThrow(/name: is 'tiny-v1', but the file is named 'other-v1.yaml'/);
    await expect(loadRubric(dir, 'missing-v1')).rejects.toThrow(/rubric 'missing-v1' not found/);
  });
});
