/**
 * `npx ballast guard scan`: runs the guardrail's detectors over texts, for people tuning policies.
 * Reads JSON lines `{"text": "...", "canary"?: "..."}` (or plain lines) on stdin and writes one JSON
 * line per input: the decision, the detectors that fired, the PII spans, every verdict and the
 * redacted text. It runs the service's own engine, so what it says is what the service does.
 *
 *   echo '{"text":"mail me at ada@example.org"}' | npx ballast guard scan --phase input --prompt support-answer
 *   npx ballast guard scan --phase output --policy my-policy.yaml --canary cnry-0123456789abcdef < answers.jsonl
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadPromptFiles } from '#persistence';
import { parse as parseYaml } from 'yaml';
import type { DetectorContext, TextSource } from '../../../../services/guardrail/src/detectors/detector.js';
import { modelDetectorsFrom } from '../../../../services/guardrail/src/detectors/model/http.model-detectors.js';
import { ModelDetectorRegistry } from '../../../../services/guardrail/src/detectors/model/model-detector.js';
import { GuardrailEngine } from '../../../../services/guardrail/src/guardrail.engine.js';
import { DEFAULT_POLICY, parsePolicy, type GuardrailPolicy } from '../../../../services/guardrail/src/policy/guardrail-policy.js';
import { applyRedactions } from '../../../../services/guardrail/src/scan/guard-scanner.js';

const USAGE = `usage: ballast guard scan --phase input|output [--policy file] [--prompt name] [--prompts-dir dir]
                          [--source message|document] [--canary token]

  --phase        input: injection, PII and the prompt's input rules; output: canary and prompt leaks, PII, the constitution
  --policy       a YAML or JSON file with a guardrail policy (or a prompt file; its policies.guardrail is used)
  --prompt       a prompt from the prompts folder: its guardrail policy, and its system prompt for leak checks
  --prompts-dir  where --prompt looks (default: $BALLAST_PROMPTS_DIR or prompts)
  --source       input texts are the user's messages (default) or untrusted documents (indirect injection)
  --canary       the canary token an output must not contain (or "canary" on each JSON line)

stdin: one text per line, as {"text": "..."} or plain text. stdout: one JSON line per text.
`;

interface Setup {
  policy: GuardrailPolicy;
  systemPrompt?: string;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'scan') {
    process.stderr.write(USAGE);
    return sub === undefined || sub === '--help' || sub === '-h' ? 0 : 64;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        phase: { type: 'string' },
        policy: { type: 'string' },
        prompt: { type: 'string' },
        'prompts-dir': { type: 'string' },
        source: { type: 'string' },
        canary: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (values['help']) {
    process.stdout.write(USAGE);
    return 0;
  }
  const phase = values['phase'];
  const source = (values['source'] ?? 'message') as string;
  if ((phase !== 'input' && phase !== 'output') || (source !== 'message' && source !== 'document')) {
    process.stderr.write(USAGE);
    return 64;
  }
  let setup: Setup;
  try {
    setup = await loadSetup(values['policy'] as string | undefined, values['prompt'] as string | undefined, (values['prompts-dir'] as string | undefined) ?? process.env.BALLAST_PROMPTS_DIR ?? 'prompts');
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 65;
  }
  const engine = new GuardrailEngine({
    limits: { maxInputChars: Number.MAX_SAFE_INTEGER, maxVariableChars: Number.MAX_SAFE_INTEGER },
    models: new ModelDetectorRegistry(modelDetectorsFrom(process.env.GUARDRAIL_MODEL_DETECTORS), Number(process.env.GUARDRAIL_MODEL_TIMEOUT_MS ?? 500)),
  });

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    n++;
    const input = parseLine(line);
    const ctx: DetectorContext = {
      phase,
      source: phase === 'output' ? 'completion' : (source as TextSource),
      policy: setup.policy,
      ...(input.canary ?? values['canary'] ? { canary: (input.canary ?? values['canary']) as string } : {}),
      ...(setup.systemPrompt ? { systemPrompt: setup.systemPrompt } : {}),
    };
    const result = await engine.scan(input.text, ctx);
    const fired = [...new Set(result.verdicts.filter((v) => v.decision !== 'pass' || v.rule !== undefined).map((v) => v.detector))];
    const pii = result.verdicts.filter((v) => v.detector === 'pii').flatMap((v) => v.spans);
    process.stdout.write(
      `${JSON.stringify({ line: n, decision: result.decision, detectors: fired, spans: pii, verdicts: result.verdicts, redacted: applyRedactions(input.text, result.redactions) })}\n`,
    );
  }
  return 0;
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
  let record: unknown = undefined;
  let systemPrompt: string | undefined;
  if (promptName) {
    const files = await loadPromptFiles(promptsDir);
    const prompt = files.find((f) => f.definition.name === promptName)?.definition;
    if (!prompt) throw new Error(`no prompt "${promptName}" in ${promptsDir}`);
    record = prompt.policies.guardrail;
    systemPrompt = prompt.template.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n') || undefined;
  }
  if (policyFile) {
    const raw = parseYaml(await readFile(policyFile, 'utf8')) as Record<string, unknown> | null;
    const nested = (raw?.['policies'] as Record<string, unknown> | undefined)?.['guardrail'];
    record = nested ?? raw ?? {};
  }
  if (record === undefined) return { policy: DEFAULT_POLICY };
  const parsed = parsePolicy(record);
  if (!parsed.ok) throw new Error(`the guardrail policy is invalid:\n  ${parsed.errors.join('\n  ')}`);
  return { policy: parsed.policy, ...(systemPrompt ? { systemPrompt } : {}) };
}
