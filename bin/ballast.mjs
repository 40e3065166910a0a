#!/usr/bin/env node
// Runs the compiled CLI from dist/; `npm run build` (or npm start / npm test) produces it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('ballast: the CLI is not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);
