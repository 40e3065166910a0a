#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` produces it (npm start and npm test do not need it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('ballast: the CLI is not built yet; run `npm run build` first\n');
  process.exit(69);
}
await import(pathToFileURL(entry).href);
