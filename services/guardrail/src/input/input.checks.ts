import type { PipelineState, Verdict } from '#contracts';

export interface InputLimits {
  maxInputChars: number;
  maxVariableChars: number;
}

/**
 * Size and variable checks on the rendered input. Deeper detectors (injection, PII) plug in beside
 * these as further checks returning verdicts.
 */
export function checkInputSize(state: PipelineState, limits: InputLimits): Verdict[] {
  const verdicts: Verdict[] = [];
  const total = state.rendered.messages.reduce((sum, m) => sum + m.content.length, 0);
  verdicts.push(
    total > limits.maxInputChars
      ? { phase: 'input', decision: 'block', detector: 'input-size', rule: 'max_input_chars', score: total, spans: [], reason: `the rendered input has ${total} characters; the limit is ${limits.maxInputChars}` }
      : { phase: 'input', decision: 'pass', detector: 'input-size', spans: [] },
  );
  for (const [name, value] of Object.entries(state.request.variables)) {
    if (value !== null && typeof value === 'object') {
      verdicts.push({ phase: 'input', decision: 'block', detector: 'variables', rule: 'scalar_only', spans: [], reason: `variable "${name}" must be a string, number or boolean` });
    } else if (String(value).length > limits.maxVariableChars) {
      verdicts.push({ phase: 'input', decision: 'block', detector: 'variables', rule: 'max_variable_chars', spans: [], reason: `variable "${name}" is longer than ${limits.maxVariableChars} characters` });
    }
  }
  return verdicts;
}
