/** JUnit XML for CI: one test suite per run, one test case per golden case (errored cases are <error>, failed ones <failure>). */
import type { EvalCaseResult } from '#persistence';

export function junitXml(suite: string, results: readonly EvalCaseResult[], seconds: number): string {
  const failures = results.filter((r) => !r.passed && !r.errored).length;
  const errors = results.filter((r) => r.errored).length;
  const cases = results.map((r) => {
    const time = r.latencyMs === null ? '0' : (r.latencyMs / 1000).toFixed(3);
    const detail = r.assertions.filter((a) => a.status !== 'pass').map((a) => `${a.type}: ${a.status}: ${a.detail}`).join('\n');
    const body = r.errored
      ? `<error message="${attr(firstLine(detail))}">${text(detail)}</error>`
      : !r.passed
        ? `<failure message="${attr(firstLine(detail))}">${text(detail)}</failure>`
        : '';
    return `    <testcase classname="${attr(suite)}" name="${attr(r.caseId)}" time="${time}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ballast eval" tests="${results.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${attr(suite)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// XML 1.0 cannot carry most control characters even escaped: drop them.
const clean = (s: string) => [...s].filter((c) => !isForbiddenInXml(c.codePointAt(0)!)).join('');
const isForbiddenInXml = (cp: number) => (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || cp === 0xfffe || cp === 0xffff;
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string) => text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const firstLine = (s: string) => s.split('\n')[0] ?? '';
