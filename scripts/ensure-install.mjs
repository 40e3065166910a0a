#!/usr/bin/env node
// Runs before `npm start` and `npm test` (prestart/pretest): installs dependencies when node_modules
// is missing or does not match package-lock.json, then builds what changed. It runs on whatever Node
// the machine has (the project's own Node 24 arrives with `npm ci`), so it uses nothing but node:*.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = process.argv.includes('--build');

const stale = installProblem();
if (stale) {
  say(`${stale}: running npm ci (it brings Node.js 24; about a minute)`);
  // Errors only: the machine's npm runs on its own Node and warns about every package that needs Node 22+.
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
if (build) run('npm', ['run', '--silent', 'build']);

/** Why node_modules needs installing, or null when it matches the lockfile. */
function installProblem() {
  const lockFile = join(root, 'package-lock.json');
  const installedFile = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'no node_modules yet';
  if (!existsSync(installedFile)) return 'node_modules was not installed by npm';
  const wanted = readJson(lockFile)?.packages;
  const installed = readJson(installedFile)?.packages;
  if (!wanted || !installed) return 'the lockfile cannot be read';
  // npm's hidden lockfile lists what is in node_modules; optional packages may be skipped (other platforms).
  for (const [path, entry] of Object.entries(wanted)) {
    if (!path.startsWith('node_modules/') || entry.optional) continue;
    if ((entry.dev || entry.devOptional) && omitsDev()) continue;
    if (installed[path]?.version !== entry.version) return `node_modules is out of date (${path.replace(/^.*node_modules\//, '')})`;
  }
  for (const path of Object.keys(installed)) {
    if (path.startsWith('node_modules/') && !wanted[path]) return `node_modules has packages the lockfile dropped (${path.replace(/^.*node_modules\//, '')})`;
  }
  return null;
}

function omitsDev() {
  return (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev') || process.env.NODE_ENV === 'production';
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say(`\`${command} ${args.join(' ')}\` failed${result.error ? `: ${result.error.message}` : ` with exit code ${result.status}`}`);
    process.exit(result.status || 1);
  }
}

function say(message) {
  process.stderr.write(`ballast: ${message}\n`);
}
