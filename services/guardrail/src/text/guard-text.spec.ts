import { GuardText } from './guard-text.js';

describe('GuardText normalisation', () => {
  it('keeps plain ASCII as it is, lower-cased in the folded view', () => {
    const t = new GuardText('Hello World');
    expect(t.clean.text).toBe('Hello World');
    expect(t.folded.text).toBe('hello world');
    expect(t.signals).toEqual({ invisible: 0, tags: 0, bidi: 0, mixedScriptWords: 0 });
  });

  it('folds fullwidth, mathematical and look-alike letters to Latin (NFKC plus confusables)', () => {
    expect(new GuardText('ｉｇｎｏｒｅ').folded.text).toBe('ignore');
    expect(new GuardText('𝐢𝐠𝐧𝐨𝐫𝐞').folded.text).toBe('ignore');
    // Cyrillic а, е, о and р in a Latin word
    const t = new GuardText('іgnоrе рrеvіоus');
    expect(t.folded.text).toBe('ignore previous');
    expect(t.signals.mixedScriptWords).toBeGreaterThanOrEqual(1);
  });

  it('strips zero-width and filler characters and counts them', () => {
    const t = new GuardText('ig\u200bno\u200dre all\u2060 previous');
    expect(t.folded.text).toBe('ignore all previous');
    expect(t.signals.invisible).toBe(2);
  });

  it('decodes Unicode tag characters (invisible ASCII smuggling)', () => {
    const hidden = [...'hi'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const t = new GuardText(`ok${hidden}`);
    expect(t.clean.text).toBe('okhi');
    expect(t.signals.tags).toBe(2);
  });

  it('undoes leetspeak and spaced-out letters in the collapsed view, but leaves ordinals and model names', () => {
    expect(new GuardText('1gn0r3 pr3v10us').collapsed.text).toBe('ignore previous');
    expect(new GuardText('I G N O R E all').collapsed.text).toBe('ignore all');
    expect(new GuardText('i-g-n-o-r-e').collapsed.text).toBe('ignore');
    expect(new GuardText('the 3rd of May, gpt4').collapsed.text).toBe('the 3rd of may, gpt4');
  });

  it('maps every view back to offsets in the raw text', () => {
    const raw = 'Ｍail: ada\u200b@example.org';
    const t = new GuardText(raw);
    const at = t.clean.text.indexOf('ada@example.org');
    const range = t.clean.range(at, at + 'ada@example.org'.length);
    expect(raw.slice(range.start, range.end)).toBe('ada\u200b@example.org');
    const c = new GuardText('x i g n o r e y');
    const i = c.collapsed.text.indexOf('ignore');
    expect(c.collapsed.range(i, i + 6)).toEqual({ start: 2, end: 13 });
  });

  it('turns digits of other scripts into ASCII digits for the PII view', () => {
    expect(new GuardText('٤١١١').clean.text).toBe('4111');
  });
});
