import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public evaluation sets in `shared/datasets` beside the clone (or BALLAST_DATASETS_DIR). They
 * are read where they lie and never copied into the repository.
 */
export function datasetsDir(): string {
  const fromEnv = process.env.BALLAST_DATASETS_DIR;
  if (fromEnv) return fromEnv;
  return resolve(repoRoot(), '../shared/datasets');
}

export function repoRoot(): string {
  // Works from the sources (bench/guardrail) and from the build (dist/bench/guardrail).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function read(relative: string): string {
  const path = join(datasetsDir(), relative);
  if (!existsSync(path)) throw new Error(`dataset ${path} not found: set BALLAST_DATASETS_DIR to the shared datasets folder`);
  return readFileSync(path, 'utf8');
}

function jsonl<T>(relative: string): T[] {
  return read(relative)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export interface LabelledText {
  text: string;
  group: string;
}

/** Attack prompts: Tensor Trust hijacking and extraction, Giskard. */
export function injectionAttacks(): LabelledText[] {
  const hijacking = jsonl<{ attack: string }>('injection/tensor-trust-hijacking.jsonl').map((r) => ({ text: r.attack, group: 'tensor-trust-hijacking' }));
  const extraction = jsonl<{ attack: string }>('injection/tensor-trust-extraction.jsonl').map((r) => ({ text: r.attack, group: 'tensor-trust-extraction' }));
  const giskard = csv(read('injection/giskard-prompt-injections.csv')).map((r) => ({ text: r['prompt'] ?? '', group: 'giskard' }));
  return [...hijacking, ...extraction, ...giskard];
}

/** BIPIA's indirect attack strings by category, to embed in documents. */
export function bipiaAttacks(): LabelledText[] {
  const data = JSON.parse(read('injection/bipia-text-attacks-train.json')) as Record<string, string[]>;
  return Object.entries(data).flatMap(([group, texts]) => texts.map((text) => ({ text, group })));
}

/** Benign prompts that contain trigger words (NotInject, both halves). */
export function notInject(): LabelledText[] {
  return ['injection/notinject-one.json', 'injection/notinject-two.json'].flatMap((f) =>
    (JSON.parse(read(f)) as Array<{ prompt: string; category: string }>).map((r) => ({ text: r.prompt, group: r.category })),
  );
}

/** XSTest prompts: `safe` ones must pass an injection detector. */
export function xstest(): Array<LabelledText & { label: string }> {
  return csv(read('safety/xstest-prompts.csv')).map((r) => ({ text: r['prompt'] ?? '', group: r['type'] ?? '', label: r['label'] ?? '' }));
}

export interface PiiSample {
  text: string;
  spans: Array<{ entity: string; start: number; end: number }>;
  /** The generator's template: the tune / held-out split goes by template, so no sentence shape is in both. */
  template: number;
}

/** Presidio's synthetic sentences with character spans. */
export function presidio(): PiiSample[] {
  const rows = JSON.parse(read('pii/presidio-generated-large.json')) as Array<{
    full_text: string;
    spans: Array<{ entity_type: string; start_position: number; end_position: number }>;
    template_id: number;
  }>;
  return rows.map((r) => ({ text: r.full_text, spans: r.spans.map((s) => ({ entity: s.entity_type, start: s.start_position, end: s.end_position })), template: r.template_id }));
}

export interface ExtractionSample {
  secret: string;
  output: string;
  leaks: boolean;
}

/** Tensor Trust model outputs labelled whether they leak the access code. */
export function extractionDetection(): ExtractionSample[] {
  return jsonl<{ access_code: string; llm_output: string; is_prompt_extraction: boolean }>('injection/tensor-trust-extraction-detection.jsonl').map((r) => ({
    secret: r.access_code,
    output: r.llm_output,
    leaks: r.is_prompt_extraction,
  }));
}

function haluEval(): Array<{ user_query: string; chatgpt_response: string }> {
  return jsonl<{ user_query: string; chatgpt_response: string }>('grounding/halueval-general.json');
}

/** HaluEval's user queries: ordinary requests to an assistant (benign, for false positives). */
export function benignQueries(): string[] {
  return haluEval().map((r) => r.user_query);
}

/** HaluEval's answers as benign documents (prose, lists, code) for indirect-injection false positives. */
export function benignDocuments(): string[] {
  return haluEval()
    .map((r) => r.chatgpt_response)
    .filter((t) => t.length >= 80);
}

/** A small RFC 4180 reader: quoted fields, doubled quotes, newlines inside quotes. */
export function csv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== '');
  return body.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

/** One source of the injection classifier's training and evaluation data. */
export interface ClassifierSource {
  name: string;
  /** 1: attacks; 0: benign. */
  label: 0 | 1;
  /** The file (and field) it comes from, for the model card. */
  from: string;
  texts: string[];
}

// Template slots filled the way they are used: an empty request, the model's usual name.
const fillTemplate = (t: string) => t.replace(/\[INSERT PROMPT HERE\]/g, '').replace(/\{generator\.name\}/g, 'ChatGPT');
const QQP_QUESTIONS = 5_000;

/** The defenders' own system prompts in Tensor Trust (benign instructions to a model, distinct). */
export function tensorTrustSystemPrompts(): string[] {
  const rows = [...jsonl<{ pre_prompt: string }>('injection/tensor-trust-hijacking.jsonl'), ...jsonl<{ pre_prompt: string }>('injection/tensor-trust-extraction.jsonl')];
  return [...new Set(rows.map((r) => r.pre_prompt))];
}

/** GSM8K's questions: everyday maths requests (benign). */
export function gsm8kQuestions(): string[] {
  return jsonl<{ question: string }>('golden/gsm8k-test.jsonl').map((r) => r.question);
}

/** Distinct Quora questions from the pairs file, every k-th one so the sample spans the file (benign). */
export function quoraQuestions(limit = QQP_QUESTIONS): string[] {
  const seen = new Set<string>();
  for (const r of jsonl<{ a: string; b: string }>('cache/qqp-pairs-dev.jsonl')) {
    seen.add(r.a);
    seen.add(r.b);
  }
  const all = [...seen];
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0).slice(0, limit);
}

/**
 * The injection classifier's data, one entry per source: the direct attacks in
 * `injection/` and benign text from the other sets. BIPIA's strings are tasks that are attacks
 * only inside a document, and Tensor Trust's extraction-detection rows are model outputs: neither
 * is a training source (BIPIA is scored embedded in e-mails, never trained on). XSTest's unsafe
 * prompts are harmful but not injections: left out of both classes.
 */
export function classifierSources(): ClassifierSource[] {
  const sysprompt = JSON.parse(read('injection/system-prompt-extraction-attacks.json')) as Record<string, string[]>;
  return [
    { name: 'tensor-trust-hijacking', label: 1, from: 'injection/tensor-trust-hijacking.jsonl (attack)', texts: jsonl<{ attack: string }>('injection/tensor-trust-hijacking.jsonl').map((r) => r.attack) },
    { name: 'tensor-trust-extraction', label: 1, from: 'injection/tensor-trust-extraction.jsonl (attack)', texts: jsonl<{ attack: string }>('injection/tensor-trust-extraction.jsonl').map((r) => r.attack) },
    { name: 'giskard', label: 1, from: 'injection/giskard-prompt-injections.csv (prompt)', texts: csv(read('injection/giskard-prompt-injections.csv')).map((r) => r['prompt'] ?? '') },
    { name: 'gptfuzz-templates', label: 1, from: 'injection/gptfuzz-jailbreak-templates.csv (text, slot emptied)', texts: csv(read('injection/gptfuzz-jailbreak-templates.csv')).map((r) => fillTemplate(r['text'] ?? '')) },
    { name: 'dan-templates', label: 1, from: 'injection/dan-templates.json (text, {generator.name} = ChatGPT)', texts: (JSON.parse(read('injection/dan-templates.json')) as Array<{ text: string }>).map((r) => fillTemplate(r.text)) },
    { name: 'jailbreaks-in-the-wild', label: 1, from: 'injection/jailbreaks-in-the-wild.json (slot emptied)', texts: (JSON.parse(read('injection/jailbreaks-in-the-wild.json')) as string[]).map(fillTemplate) },
    { name: 'system-prompt-extraction', label: 1, from: 'injection/system-prompt-extraction-attacks.json (all techniques)', texts: Object.values(sysprompt).flat() },
    { name: 'tensor-trust-system-prompts', label: 0, from: 'injection/tensor-trust-*.jsonl (pre_prompt: the defenders\' system prompts, distinct)', texts: tensorTrustSystemPrompts() },
    { name: 'notinject', label: 0, from: 'injection/notinject-one.json, notinject-two.json (prompt)', texts: notInject().map((r) => r.text) },
    { name: 'xstest-safe', label: 0, from: 'safety/xstest-prompts.csv (prompt, label safe)', texts: xstest().filter((r) => r.label === 'safe').map((r) => r.text) },
    { name: 'halueval-queries', label: 0, from: 'grounding/halueval-general.json (user_query)', texts: benignQueries() },
    { name: 'halueval-answers', label: 0, from: 'grounding/halueval-general.json (chatgpt_response, 80+ chars)', texts: benignDocuments() },
    { name: 'gsm8k-questions', label: 0, from: 'golden/gsm8k-test.jsonl (question)', texts: gsm8kQuestions() },
    { name: 'quora-questions', label: 0, from: `cache/qqp-pairs-dev.jsonl (a, b: ${QQP_QUESTIONS} distinct questions spread over the file)`, texts: quoraQuestions() },
    { name: 'pii-sentences', label: 0, from: 'pii/presidio-generated-large.json (full_text)', texts: presidio().map((r) => r.text) },
  ].map((s) => ({ ...s, label: s.label as 0 | 1, texts: s.texts.filter((t) => t.trim() !== '') }));
}
