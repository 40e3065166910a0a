import type { EvalCaseResult } from '#persistence';
import { junitXml } from './junit-report.js';

/** A small XML well-formedness check: balanced tags, quoted attributes, known entities only. */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; children: unknown[] } {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: { name: string; attrs: Record<string, string>; children: unknown[] }[] = [{ name: '#root', attrs: {}, children: [] }];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = token.exec(body))) {
    at = token.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(m[5])) throw new Error(`bad entity in text at ${m.index}`);
      continue;
    }
    const [, close, name, rawAttrs, selfClose] = m;
    if (close) {
      if (stack.pop()?.name !== name) throw new Error(`unbalanced </${name}>`);
      continue;
    }
    const attrs = Object.fromEntries([...rawAttrs!.matchAll(/([\w.-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    for (const v of Object.values(attrs)) if (/&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(v)) throw new Error('bad entity in attribute');
    const el = { name: name!, attrs, children: [] as unknown[] };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (at !== body.length) throw new Error(`not XML at offset ${at}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  return stack[0]!.children[0] as never;
}

const result = (caseId: string, status: 'pass' | 'fail' | 'error', detail = ''): EvalCaseResult => ({
  caseId,
  passed: status === 'pass',
  errored: status === 'error',
  baselinePassed: null,
  assertions: [{ type: 'contains', status, detail }],
  latencyMs: 12,
  costUsd: null,
});

describe('JUnit report', () => {
  it('parses as XML with one test case per golden case, failures and errors counted', () => {
    const xml = junitXml('support-answer@2', [result('ok', 'pass'), result('a <b> & "c"', 'fail', '"refund" not found\nline 2'), result('judge', 'error', 'the judge answered invalid JSON \u0007')], 1.5);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const suite = root.children[0] as ReturnType<typeof parseXml>;
    expect(suite.attrs['name']).toBe('support-answer@2');
    const cases = suite.children as ReturnType<typeof parseXml>[];
    expect(cases.map((c) => c.attrs['name'])).toEqual(['ok', 'a &lt;b&gt; &amp; &quot;c&quot;', 'judge']);
    expect(cases.map((c) => (c.children[0] as { name?: string } | undefined)?.name ?? null)).toEqual([null, 'failure', 'error']);
  });

  it('the check itself rejects broken XML', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/unbalanced/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/entity/);
  });
});
