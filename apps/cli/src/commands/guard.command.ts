/**
 * `npx ballast guard scan`: runs the guardrail's detectors over texts, for people tuning policies.
 * Reads JSON lines `{"text": "...", "canary"?: "..."}` (or plain lines) on stdin and writes one JSON
 * line per input: the decision, the detectors that fired, the PII spans, every verdict and the
 * redacted text, and (input phase) `score`, the injection classifier's probability. It runs the
 * service's own engine, so what it says is what the service does. `--explain` adds `explain`: the
 * classifier's probability, threshold and the features that pushed it up, and each rule that fired.
 *
 *   echo '{"text":"mail me at ada@example.org"}' | npx ballast guard scan --phase input --prompt support-answer
 *   npx ballast guard scan --phase output --policy my-policy.yaml --canary cnry-0123456789abcdef < answers.jsonl
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import type { GuardrailPolicy } from '../../../../services/guardrail/src/policy/guardrail-policy.js';
import type { DetectorContext, TextSource } from '../../../../services/guardrail/src/detectors/detector.js';
import { CliError, EXIT, action, commandGroup, oneLine } from '../cli.js';

/** How far a line got, mildest first: `flag` is any detector firing (a warn rule included). */
const LEVELS = ['pass', 'flag', 'redact', 'block'] as const;
type Level = (typeof LEVELS)[number];

interface ScanOptions {
  phase: 'input' | 'output';
  policy?: string;
  prompt?: string;
  promptsDir?: string;
  source: 'message' | 'document';
  canary?: string;
  failOn?: Exclude<Level, 'pass'>;
  explain?: boolean;
}

interface Setup {
  policy: GuardrailPolicy;
  systemPrompt?: string;
}

export function register(program: Command): void {
  const guard = commandGroup(program, 'guard', 'run the guardrail detectors on texts (guard scan)');
  guard
    .command('scan')
    .summary('scan JSON lines from stdin with the guardrail detectors')
    .description('Scans one text per stdin line ({"text": "...", "canary"?: "..."} or plain text) with the service\'s own guardrail engine and writes one JSON line per text: decision, detectors that fired, PII spans, verdicts, redacted text.')
    .addOption(new Option('--phase <phase>', 'input: injection, PII and the prompt\'s input rules; output: canary and prompt leaks, PII, the constitution').choices(['input', 'output']).makeOptionMandatory())
    .option('--policy <file>', 'a YAML or JSON guardrail policy (or a prompt file; its policies.guardrail is used)')
    .option('--prompt <name>', 'a prompt from the prompts folder: its guardrail policy, and its system prompt for leak checks')
    .option('--prompts-dir <dir>', 'where --prompt looks (default: $BALLAST_PROMPTS_DIR or prompts)')
    .addOption(new Option('--source <source>', 'input texts are the user\'s messages or untrusted documents (indirect injection)').choices(['message', 'document']).default('message'))
    .option('--canary <token>', 'the canary token an output must not contain (or "canary" on each JSON line)')
    .addOption(new Option('--fail-on <level>', `exit ${EXIT.checkFailed} when any line reaches this level (flag: any detector fired; for CI)`).choices(['flag', 'redact', 'block']))
    .option('--explain', 'add "explain" to each line: the classifier\'s probability, threshold and top features, and every rule that fired with its score')
    .addHelpText('after', `\nExamples:\n  echo '{"text":"mail me at ada@example.org"}' | npx ballast guard scan --phase input --prompt support-answer\n  npx ballast guard scan --phase input --fail-on block < prompts-to-check.jsonl`)
    .action(action(scan));
}

async function scan(options: ScanOptions): Promise<number> {
  const setup = await loadSetup(options.policy, options.prompt, options.promptsDir ?? process.env.BALLAST_PROMPTS_DIR ?? 'prompts');
  const { modelDetectorsFrom } = await import('../../../../services/guardrail/src/detectors/model/http.model-detectors.js');
  const { ModelDetectorRegistry } = await import('../../../../services/guardrail/src/detectors/model/model-detector.js');
  const { GuardrailEngine } = await import('../../../../services/guardrail/src/guardrail.engine.js');
  const { applyRedactions } = await import('../../../../services/guardrail/src/scan/guard-scanner.js');
  const { scoreInjection } = await import('../../../../services/guardrail/src/detectors/injection/injection.detector.js');
  const { GuardText } = await import('../../../../services/guardrail/src/text/guard-text.js');
  const { InjectionClassifier, loadInjectionModel } = await import('../../../../services/guardrail/src/detectors/injection/classifier/injection-classifier.js');
  let classifier: InstanceType<typeof InjectionClassifier>;
  try {
    classifier = new InjectionClassifier(loadInjectionModel(process.env.GUARDRAIL_INJECTION_MODEL || undefined));
  } catch (error) {
    throw new CliError(oneLine(error));
  }
  const engine = new GuardrailEngine({
    limits: { maxInputChars: Number.MAX_SAFE_INTEGER, maxVariableChars: Number.MAX_SAFE_INTEGER },
    models: new ModelDetectorRegistry(modelDetectorsFrom(process.env.GUARDRAIL_MODEL_DETECTORS), Number(process.env.GUARDRAIL_MODEL_TIMEOUT_MS ?? 500)),
    classifier,
  });

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  let worst: Level = 'pass';
  for await (const line of lines) {
    if (line.trim() === '') continue;
    n++;
    const input = parseLine(line);
    const canary = input.canary ?? options.canary;
    const ctx: DetectorContext = {
      phase: options.phase,
      source: options.phase === 'output' ? 'completion' : (options.source as TextSource),
      policy: setup.policy,
      ...(canary ? { canary } : {}),
      ...(setup.systemPrompt ? { systemPrompt: setup.systemPrompt } : {}),
    };
    const result = await engine.scan(input.text, ctx);
    const fired = [...new Set(result.verdicts.filter((v) => v.decision !== 'pass' || v.rule !== undefined).map((v) => v.detector))];
    const pii = result.verdicts.filter((v) => v.detector === 'pii').flatMap((v) => v.spans);
    const level: Level = result.decision !== 'pass' ? result.decision : fired.length > 0 ? 'flag' : 'pass';
    if (LEVELS.indexOf(level) > LEVELS.indexOf(worst)) worst = level;
    const learned = result.verdicts.find((v) => v.detector === 'injection-classifier');
    const score = learned?.score === undefined ? {} : { score: learned.score };
    const explain = options.explain ? { explain: explainScan(result.verdicts, input.text, ctx, classifier, (t, indirect) => scoreInjection(new GuardText(t), { indirect })) } : {};
    process.stdout.write(
      `${JSON.stringify({ line: n, decision: result.decision, detectors: fired, spans: pii, ...score, verdicts: result.verdicts, redacted: applyRedactions(input.text, result.redactions), ...explain })}\n`,
    );
  }
  if (options.failOn && LEVELS.indexOf(worst) >= LEVELS.indexOf(options.failOn)) {
    process.stderr.write(`ballast guard scan: a line reached ${worst} (--fail-on ${options.failOn})\n`);
    return EXIT.checkFailed;
  }
  return EXIT.ok;
}

type Classifier = import('../../../../services/guardrail/src/detectors/injection/classifier/injection-classifier.js').InjectionClassifier;
type ScanVerdict = import('#contracts').Verdict;

/** What fired and why: the classifier's probability against its threshold with its top features, then every rule finding. */
function explainScan(
  verdicts: readonly ScanVerdict[],
  text: string,
  ctx: DetectorContext,
  classifier: Classifier,
  rules: (text: string, indirect: boolean) => { score: number; hits: Array<{ id: string; weight: number }> },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ctx.phase === 'input') {
    const scored = rules(text, ctx.source === 'document');
    out['injectionRules'] = { score: Math.round(scored.score * 1000) / 1000, threshold: ctx.policy.input.injectionThreshold, patterns: scored.hits.map((h) => ({ id: h.id, weight: h.weight })) };
  }
  const setting = ctx.policy.input.injectionClassifier;
  if (ctx.phase === 'input' && setting !== 'off') {
    const probability = classifier.score(text).probability;
    const threshold = classifier.threshold(setting);
    out['classifier'] = { probability: Math.round(probability * 1000) / 1000, threshold, fired: probability >= threshold, features: classifier.explain(text) };
  }
  out['verdicts'] = verdicts
    .filter((v) => v.detector !== 'injection-classifier' && (v.decision !== 'pass' || v.rule !== undefined))
    .map((v) => ({ detector: v.detector, ...(v.rule ? { rule: v.rule } : {}), decision: v.decision, ...(v.score === undefined ? {} : { score: v.score }), ...(v.reason ? { reason: v.reason } : {}) }));
  return out;
}

function parseLine(line: string): { text: string; canary?: string } {
  if (line.trimStart().startsWith('{')) {
    try {
      const value = JSON.parse(line) as { text?: unknown; canary?: unknown };
      if (typeof value.text === 'string') return { text: value.text, ...(typeof value.canary === 'string' ? { canary: value.canary } : {}) };
    } catch {
      // Not JSON after all: scan the line as it is.
    }
  }
  return { text: line };
}

async function loadSetup(policyFile: string | undefined, promptName: string | undefined, promptsDir: string): Promise<Setup> {
  const { loadPromptFiles } = await import('#persistence');
  const { parse: parseYaml } = await import('yaml');
  const { DEFAULT_POLICY, parsePolicy } = await import('../../../../services/guardrail/src/policy/guardrail-policy.js');
  let record: unknown = undefined;
  let systemPrompt: string | undefined;
  if (promptName) {
    const files = await loadPromptFiles(promptsDir);
    const prompt = files.find((f) => f.definition.name === promptName)?.definition;
    if (!prompt) throw new CliError(`no prompt "${promptName}" in ${promptsDir} (--prompts-dir)`);
    record = prompt.policies.guardrail;
    systemPrompt = prompt.template.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n') || undefined;
  }
  if (policyFile) {
    const text = await readFile(policyFile, 'utf8').catch((error: unknown) => {
      throw new CliError(`cannot read the policy file ${policyFile}: ${describeFileError(error)}`);
    });
    let raw: Record<string, unknown> | null;
    try {
      raw = parseYaml(text) as Record<string, unknown> | null;
    } catch (error) {
      throw new CliError(`the policy file ${policyFile} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
    }
    const nested = (raw?.['policies'] as Record<string, unknown> | undefined)?.['guardrail'];
    record = nested ?? raw ?? {};
  }
  if (record === undefined) return { policy: DEFAULT_POLICY };
  const parsed = parsePolicy(record);
  if (!parsed.ok) throw new CliError(`the guardrail policy${policyFile ? ` in ${policyFile}` : ''} is invalid: ${parsed.errors.join('; ')}`);
  return { policy: parsed.policy, ...(systemPrompt ? { systemPrompt } : {}) };
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return oneLine(error);
}
