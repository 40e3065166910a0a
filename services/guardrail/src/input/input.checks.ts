import type { PipelineState, Verdict } from '#contracts';
import type { InputPolicy } from '../policy/guardrail-policy.js';

export interface InputLimits {
  maxInputChars: number;
  maxVariableChars: number;
}

/**
 * Size and variable checks on the rendered input, against the service's limits and the prompt's
 * own (`maxChars`, `maxMessageChars`, `maxMessages`). They run first, so an oversized input is
 * blocked before any detector reads it.
 */
export function checkInputSize(state: PipelineState, limits: InputLimits, policy?: InputPolicy): Verdict[] {
  const verdicts: Verdict[] = [];
  const messages = state.rendered.messages;
  const total = messages.reduce((sum, m) => sum + m.content.length, 0);
  const maxChars = Math.min(limits.maxInputChars, policy?.maxChars ?? Infinity);
  const block = (rule: string, reason: string, score?: number): Verdict => ({ phase: 'input', decision: 'block', detector: 'input-size', rule, ...(score === undefined ? {} : { score }), spans: [], reason });
  if (total > maxChars) {
    verdicts.push(block('max_input_chars', `the rendered input has ${total} characters; the limit is ${maxChars}`, total));
  } else if (policy?.maxMessages !== undefined && messages.length > policy.maxMessages) {
    verdicts.push(block('max_messages', `the request has ${messages.length} messages; this prompt accepts ${policy.maxMessages}`, messages.length));
  } else if (policy?.maxMessageChars !== undefined && messages.some((m) => m.content.length > policy.maxMessageChars!)) {
    verdicts.push(block('max_message_chars', `a message is longer than ${policy.maxMessageChars} characters`));
  } else {
    verdicts.push({ phase: 'input', decision: 'pass', detector: 'input-size', spans: [] });
  }
  for (const [name, value] of Object.entries(state.request.variables)) {
    if (value !== null && typeof value === 'object') {
      verdicts.push({ phase: 'input', decision: 'block', detector: 'variables', rule: 'scalar_only', spans: [], reason: `variable "${name}" must be a string, number or boolean` });
    } else if (String(value).length > limits.maxVariableChars) {
      verdicts.push({ phase: 'input', decision: 'block', detector: 'variables', rule: 'max_variable_chars', spans: [], reason: `variable "${name}" is longer than ${limits.maxVariableChars} characters` });
    }
  }
  return verdicts;
}
