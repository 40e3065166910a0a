import { toFinishReason } from './chat.js';

describe('toFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['max_tokens', 'length'],
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['content_filter', 'content_filter'],
  ])('says %s as the OpenAI reason %s', (provider, openai) => {
    expect(toFinishReason(provider)).toBe(openai);
  });

  it('counts a reason no provider documents as stop', () => {
    expect(toFinishReason('something_new')).toBe('stop');
  });
});
