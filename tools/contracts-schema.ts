import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicJsonSchemas } from '#contracts';
import { promptFileJsonSchema } from '#persistence';

const outDir = process.argv[2] ?? 'schemas';
await mkdir(outDir, { recursive: true });
const schemas = { ...publicJsonSchemas(), 'prompt-file.schema.json': promptFileJsonSchema() };
for (const [file, schema] of Object.entries(schemas)) await writeFile(join(outDir, file), `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`wrote ${Object.keys(schemas).length} JSON Schemas to ${outDir}/\n`);
