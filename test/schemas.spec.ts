import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from '../tools/published-schemas.js';

const DIR = join(import.meta.dirname, '..', 'schemas');

describe('the committed JSON Schemas in schemas/', () => {
  const expected = publishedSchemas();

  it('are exactly the files the contracts produce (run `npm run contracts:schema` and commit schemas/ after changing a contract)', () => {
    const committed = readdirSync(DIR).filter((f) => f.endsWith('.schema.json')).sort();
    expect(committed).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(publishedSchemas()))('%s matches what the contracts produce', (file) => {
    expect(JSON.parse(readFileSync(join(DIR, file), 'utf8'))).toEqual(JSON.parse(expected[file]!));
  });

  it('include the quality-score payload analysts read, with the judge fields', () => {
    const schema = JSON.parse(expected['quality-score.schema.json']!) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['judgeModel', 'rubric', 'criterionScores', 'sampleRate', 'judgeCost']));
    expect(schema.required).toEqual(expect.arrayContaining(['requestId', 'tenantId', 'score', 'criteria']));
  });
});
