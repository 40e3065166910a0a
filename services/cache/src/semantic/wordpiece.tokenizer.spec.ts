import { WordPieceTokenizer } from './wordpiece.tokenizer.js';

// A toy vocabulary in vocab.txt's form: one token per line, its id is its line number.
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'how', 'do', 'i', 'reset', 'my', 'router', '?', 'play', '##ing', 'cafe', 'naive', '東', '京', ',', "'", 's', 'un', '##aff', '##able'].join('\n');
const ids = (tokens: string[]) => tokens.map((t) => VOCAB.split('\n').indexOf(t));

describe('WordPieceTokenizer', () => {
  const tokenizer = new WordPieceTokenizer(VOCAB);

  it('lowercases, strips accents and splits punctuation off words, between [CLS] and [SEP]', () => {
    expect(tokenizer.words("How do I reset MY Router?  Café, naïve's")).toEqual(['how', 'do', 'i', 'reset', 'my', 'router', '?', 'cafe', ',', 'naive', "'", 's']);
    expect(tokenizer.encode('How do I reset my router?').ids).toEqual(ids(['[CLS]', 'how', 'do', 'i', 'reset', 'my', 'router', '?', '[SEP]']));
  });

  it('lowercases letter by letter, as BERT does (a word-final capital sigma becomes σ, not ς)', () => {
    expect(tokenizer.words('ΙΧΣ')).toEqual(['ιχσ']);
  });

  it('splits a word into the longest pieces it knows, and a word with no split into [UNK]', () => {
    expect(tokenizer.encode('playing unaffable').ids).toEqual(ids(['[CLS]', 'play', '##ing', 'un', '##aff', '##able', '[SEP]']));
    expect(tokenizer.encode('playx router').ids).toEqual(ids(['[CLS]', '[UNK]', 'router', '[SEP]']));
  });

  it('drops control and format characters (a zero-width space joins words, as BERT does), spaces out CJK ideographs, reads tabs and newlines as spaces', () => {
    expect(tokenizer.words('東京\u0000\treset\nmy\u200brouter')).toEqual(['東', '京', 'reset', 'myrouter']);
  });

  it('cuts a long text to maxTokens, [SEP] included', () => {
    const short = new WordPieceTokenizer(VOCAB, { maxTokens: 5 });
    expect(short.encode('how do i reset my router').ids).toEqual(ids(['[CLS]', 'how', 'do', 'i', '[SEP]']));
  });

  it('refuses a vocabulary without BERT special tokens', () => {
    expect(() => new WordPieceTokenizer('a\nb\nc')).toThrow(/no \[CLS\] token/);
  });
});
