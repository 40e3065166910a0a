/**
 * `npx ballast cache calibrate | purge | stats`: the cache's operator tools.
 * calibrate embeds labelled question pairs with the configured embedder (CACHE_EMBEDDINGS_* or the
 * local one) and hit verification, prints precision, recall and hit rate per similarity threshold,
 * and recommends the lowest threshold that meets the target precision. purge deletes a prompt's
 * entries (a version, a tenant) from both layers; stats prints live entries and size per scope.
 *
 *   npx ballast cache calibrate --pairs pairs.jsonl --target-precision 0.9
 *   npx ballast cache purge --prompt support-answer@3 --tenant acme
 *   npx ballast cache stats --json
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, EXIT, UsageError, action, commandGroup } from '../cli.js';
import { REGISTRY_ENVIRONMENT, openRegistrySession } from '../prompts/registry-session.js';

const CACHE_ENVIRONMENT = `${REGISTRY_ENVIRONMENT.replace(/\n {2}KAFKA_BROKERS[^\n]*\n {2}BALLAST_ACTOR[^\n]*/, '')}
  QDRANT_URL        the semantic layer's Qdrant (else pgvector in the same database)`;

interface CalibrateOptions {
  pairs: string;
  targetPrecision: number;
  json?: boolean;
  verify: boolean;
}

function share(raw: string): number {
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw.trim()) || value <= 0 || value > 1) throw new InvalidArgumentError('Expected a number above 0 and at most 1.');
  return value;
}

export function register(program: Command): void {
  const cache = commandGroup(program, 'cache', 'cache tools (cache calibrate, purge, stats)');
  cache
    .command('purge')
    .summary("delete a prompt's cached answers (one version, one tenant) from both layers")
    .description('Deletes the cached answers of --prompt name[@version] (and only --tenant\'s when given), expired or not, from the exact-match table and the semantic store.')
    .requiredOption('--prompt <name[@version]>', 'the prompt, optionally one version: support-answer or support-answer@3')
    .option('--tenant <id>', "only this tenant's entries")
    .option('--json', 'print {"exact": n, "semantic": n|null}')
    .addHelpText('after', `${CACHE_ENVIRONMENT}\n\nExamples:\n  npx ballast cache purge --prompt support-answer@3\n  npx ballast cache purge --prompt support-answer --tenant acme`)
    .action(action(purge));
  cache
    .command('stats')
    .summary('live exact-match entries and their size per tenant, prompt and version')
    .option('--json', 'print a JSON array of {tenantId, promptName, promptVersion, entries, bytes}')
    .addHelpText('after', `${CACHE_ENVIRONMENT}\n\nHit rates per scope are in the metrics (ballast_cache_lookups_total by outcome).`)
    .action(action(stats));
  cache
    .command('calibrate')
    .summary('precision, recall and hit rate per similarity threshold on labelled pairs')
    .description('Embeds each {"a","b","duplicate"} line of --pairs with the configured embedder (CACHE_EMBEDDER: the local one, an OpenAI-compatible endpoint or minilm), applies hit verification (CACHE_VERIFIER), prints precision, recall and hit rate per threshold, and recommends the lowest threshold whose precision meets --target-precision.')
    .requiredOption('--pairs <file>', 'JSON lines {"a": "question", "b": "question", "duplicate": true|false}')
    .option('--target-precision <share>', 'precision the recommended threshold must reach', share, 0.95)
    .option('--json', 'print one JSON object: {embedder, verification, table, recommendedThreshold}')
    .option('--no-verify', 'score similarity alone, without hit verification')
    .addHelpText('after', '\nExamples:\n  npx ballast cache calibrate --pairs ../shared/datasets/cache/qqp-pairs-dev.jsonl --target-precision 0.9\n  npx ballast cache calibrate --pairs pairs.jsonl --json')
    .action(action(calibrate));
}

async function readPairs(file: string) {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new CliError(`cannot read --pairs ${file}: ${(error as Error).message}`);
  });
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line)
    .map(({ line, n }) => {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new CliError(`${file} line ${n} is not JSON; each line must be {"a": "...", "b": "...", "duplicate": true|false}`);
      }
      const r = row as { a?: unknown; b?: unknown; duplicate?: unknown };
      if (typeof r.a !== 'string' || typeof r.b !== 'string' || typeof r.duplicate !== 'boolean') {
        throw new CliError(`${file} line ${n} needs "a" and "b" strings and a boolean "duplicate"`);
      }
      return { a: r.a, b: r.b, duplicate: r.duplicate };
    });
}

async function calibrate(options: CalibrateOptions): Promise<number> {
  const pairs = await readPairs(options.pairs);
  if (pairs.length === 0) throw new CliError(`${options.pairs} has no pairs`);
  const { loadConfig } = await import('#config');
  const { cacheConfig } = await import('../../../../services/cache/src/cache.config.js');
  const { embedderFromConfig, hitVerifier } = await import('../../../../services/cache/src/semantic/semantic-cache.factory.js');
  const { DEFAULT_THRESHOLDS, recommendThreshold, scorePairs, thresholdTable } = await import('../../../../services/cache/src/semantic/calibration.js');
  const config = loadConfig(cacheConfig.schema);
  const embedder = embedderFromConfig(config);
  const progress = (done: number) => {
    if (options.json) return;
    const width = 30;
    const filled = Math.round((done / pairs.length) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${pairs.length} pairs${done === pairs.length ? '\n' : ''}`);
  };
  const scored = await scorePairs(pairs, embedder, options.verify ? hitVerifier(config.CACHE_VERIFIER) : undefined, progress);
  const table = thresholdTable(scored, DEFAULT_THRESHOLDS, options.verify);
  const recommended = recommendThreshold(table, options.targetPrecision);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ embedder: embedder.model, verification: options.verify, pairs: pairs.length, targetPrecision: options.targetPrecision, table, recommendedThreshold: recommended?.threshold ?? null })}\n`);
  } else {
    const pct = (n: number) => `${(n * 100).toFixed(1)}%`.padStart(7);
    const lines = table.map((r) => `${r.threshold.toFixed(3)}  ${pct(r.precision)}  ${pct(r.recall)}  ${pct(r.hitRate)}  ${String(r.falseHits).padStart(10)}`);
    process.stdout.write(`embedder ${embedder.model}, ${options.verify ? `with hit verification (${config.CACHE_VERIFIER})` : 'without hit verification'}, ${pairs.length} pairs\n\nthreshold  precision  recall  hit rate  false hits\n${lines.join('\n')}\n\n`);
    process.stdout.write(
      recommended
        ? `recommended threshold: ${recommended.threshold} (precision ${pct(recommended.precision).trim()}, recall ${pct(recommended.recall).trim()}, hit rate ${pct(recommended.hitRate).trim()})\n`
        : `no threshold reaches precision ${options.targetPrecision}; lower --target-precision or use a stronger embedder (CACHE_EMBEDDER=minilm or CACHE_EMBEDDINGS_URL)\n`,
    );
  }
  return recommended ? EXIT.ok : EXIT.checkFailed;
}

async function parsePrompt(raw: string): Promise<{ promptName: string; promptVersion?: number }> {
  const { parsePromptSelector } = await import('#contracts');
  const parsed = parsePromptSelector(raw);
  if (!parsed) throw new UsageError(`--prompt ${raw} is not name or name@version (e.g. support-answer@3)`);
  return { promptName: parsed.promptName, ...(parsed.promptVersion === null ? {} : { promptVersion: parsed.promptVersion }) };
}

async function purge(options: { prompt: string; tenant?: string; json?: boolean }): Promise<void> {
  const selector = { ...(await parsePrompt(options.prompt)), ...(options.tenant ? { tenantId: options.tenant } : {}) };
  const session = await openRegistrySession();
  try {
    const { purgeCache } = await import('../../../../services/cache/src/store/cache-admin.js');
    const { loadConfig } = await import('#config');
    const { cacheConfig } = await import('../../../../services/cache/src/cache.config.js');
    const { semanticCacheFromConfig } = await import('../../../../services/cache/src/semantic/semantic-cache.factory.js');
    const semanticCache = semanticCacheFromConfig(loadConfig(cacheConfig.schema), session.dataSource);
    let result: { exact: number; semantic: number | null };
    try {
      result = await purgeCache({ dataSource: session.dataSource, semantic: semanticCache }, selector);
    } finally {
      await semanticCache?.close();
    }
    const { exact, semantic } = result;
    const what = `${selector.promptName}${selector.promptVersion ? `@${selector.promptVersion}` : ''}${selector.tenantId ? ` for tenant ${selector.tenantId}` : ''}`;
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ exact, semantic })}\n`
        : `purged ${what} in ${session.where}: ${exact} exact-match entries, ${semantic === null ? 'no semantic layer' : `${semantic} semantic entries`}\n`,
    );
  } finally {
    await session.close();
  }
}

async function stats(options: { json?: boolean }): Promise<void> {
  const session = await openRegistrySession();
  try {
    const { exactCacheStats } = await import('../../../../services/cache/src/store/cache-admin.js');
    const rows = await exactCacheStats(session.dataSource);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
    } else if (rows.length === 0) {
      process.stdout.write(`no live cache entries in ${session.where}\n`);
    } else {
      const cells = rows.map((r) => [r.tenantId ?? '-', r.promptName ?? '(ad-hoc)', r.promptVersion === null ? '-' : String(r.promptVersion), String(r.entries), `${(r.bytes / 1024).toFixed(1)} KiB`]);
      const header = ['tenant', 'prompt', 'version', 'entries', 'size'];
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
      const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
      process.stdout.write(`${[line(header), ...cells.map(line)].join('\n')}\n`);
    }
  } finally {
    await session.close();
  }
}
