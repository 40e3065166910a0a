import { publicJsonSchemas } from '#contracts';
import { promptFileJsonSchema } from '#persistence';

/**
 * Every JSON Schema the repository publishes in `schemas/`, keyed by file name, as written there
 * (`npm run contracts:schema`); test/schemas.spec.ts fails when the committed files differ.
 */
export function publishedSchemas(): Record<string, string> {
  const schemas = { ...publicJsonSchemas(), 'prompt-file.schema.json': promptFileJsonSchema() };
  return Object.fromEntries(Object.entries(schemas).map(([file, schema]) => [file, `${JSON.stringify(schema, null, 2)}\n`]));
}
