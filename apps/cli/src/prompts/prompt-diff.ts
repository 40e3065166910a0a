import { canonicalJson, type PromptVersion } from '#persistence';

/** One line of a diff: ' ' same, '-' only in the first version, '+' only in the second. */
export interface DiffLine {
  sign: ' ' | '-' | '+';
  text: string;
}

/**
 * A readable diff of two versions: each message's lines, then model, params, response format and
 * policies as `path: value` lines. Unchanged fields are left out; unchanged message lines are kept.
 */
export function diffVersions(a: PromptVersion, b: PromptVersion): { section: string; lines: DiffLine[] }[] {
  const sections: { section: string; lines: DiffLine[] }[] = [];
  const count = Math.max(a.template.messages.length, b.template.messages.length);
  for (let i = 0; i < count; i++) {
    const [ma, mb] = [a.template.messages[i], b.template.messages[i]];
    const left = ma ? [`[${ma.role}]`, ...ma.content.split('\n')] : [];
    const right = mb ? [`[${mb.role}]`, ...mb.content.split('\n')] : [];
    const lines = diffLines(left, right);
    if (lines.some((l) => l.sign !== ' ')) sections.push({ section: `message ${i + 1}`, lines });
  }
  const fields = (v: PromptVersion) =>
    flatten({ model: v.model, params: v.params, responseFormat: v.responseFormat, policies: v.policies });
  const [fa, fb] = [fields(a), fields(b)];
  const settings: DiffLine[] = [];
  for (const key of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    if (fa.get(key) === fb.get(key)) continue;
    if (fa.has(key)) settings.push({ sign: '-', text: `${key}: ${fa.get(key)}` });
    if (fb.has(key)) settings.push({ sign: '+', text: `${key}: ${fb.get(key)}` });
  }
  if (settings.length > 0) sections.push({ section: 'settings', lines: settings });
  return sections;
}

/** Line diff by longest common subsequence (prompts are short). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ sign: ' ', text: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ sign: '+', text: b[j++]! });
    } else {
      out.push({ sign: '-', text: a[i++]! });
    }
  }
  return out;
}

function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, canonicalJson(value));
  }
  return out;
}
