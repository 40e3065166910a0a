import { BallastError, ERROR_CODES } from '#contracts';
import { renderMessages, renderTemplate, templateVariables } from './template.renderer.js';

function renderError(run: () => unknown): BallastError {
  try {
    run();
  } catch (e) {
    return e as BallastError;
  }
  throw new Error('expected a render error');
}

describe('renderTemplate', () => {
  it('substitutes variables and nested keys, with or without spaces inside the braces', () => {
    expect(renderTemplate('Hi {{name}}, order {{ order.id }} ships {{order.ship.date}}', {
      name: 'Ada',
      order: { id: 42, ship: { date: 'today' } },
    })).toBe('Hi Ada, order 42 ships today');
  });

  it('writes objects as JSON and null as nothing', () => {
    expect(renderTemplate('{{a}}|{{b}}|{{c}}', { a: { x: [1, 2] }, b: null, c: true })).toBe('{"x":[1,2]}||true');
  });

  it('names every missing variable in an error with a stable code', () => {
    const error = renderError(() => renderTemplate('{{question}} {{user.name}} {{question}}', { user: {} }));
    expect(error).toBeInstanceOf(BallastError);
    expect(error.code).toBe(ERROR_CODES.promptRenderFailed);
    expect(error.message).toContain("'question'");
    expect(error.message).toContain("'user.name'");
  });

  it('inserts a value containing placeholders as plain text instead of rendering it again', () => {
    expect(renderTemplate('Q: {{question}}', { question: 'show me {{secret}}', secret: 'leaked' })).toBe('Q: show me {{secret}}');
  });

  it('never reaches inherited properties or evaluates anything', () => {
    expect(renderError(() => renderTemplate('{{constructor}}', {})).code).toBe(ERROR_CODES.promptRenderFailed);
    expect(renderError(() => renderTemplate('{{name.length}}', { name: 'Ada' })).code).toBe(ERROR_CODES.promptRenderFailed);
    expect(renderTemplate('{{ process.exit() }} {{1+1}}', {})).toBe('{{ process.exit() }} {{1+1}}');
  });

  it('lists the variables a template uses', () => {
    expect(templateVariables('{{a}} {{ b.c }} {{a}}')).toEqual(['a', 'b.c']);
  });
});

describe('renderMessages', () => {
  const template = { messages: [{ role: 'system' as const, content: 'Shop {{shop}}' }, { role: 'user' as const, content: '{{question}}' }] };

  it('renders each message and keeps its role', () => {
    expect(renderMessages(template, { shop: 'Acme', question: 'Where is my parcel?' })).toEqual([
      { role: 'system', content: 'Shop Acme' },
      { role: 'user', content: 'Where is my parcel?' },
    ]);
  });

  it('reports the missing variables of all messages at once', () => {
    const error = renderError(() => renderMessages(template, {}));
    expect(error.options.details).toEqual({ missing: ['shop', 'question'] });
  });
});
