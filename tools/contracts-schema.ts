import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publishedSchemas } from './published-schemas.js';

const outDir = process.argv[2] ?? 'schemas';
await mkdir(outDir, { recursive: true });
const schemas = publishedSchemas();
// A schema whose message is gone must not linger in the directory analysts read.
for (const stale of (await readdir(outDir)).filter((f) => f.endsWith('.schema.json') && !(f in schemas))) await rm(join(outDir, stale));
for (const [file, text] of Object.entries(schemas)) await writeFile(join(outDir, file), text);
process.stdout.write(`wrote ${Object.keys(schemas).length} JSON Schemas to ${outDir}/\n`);
