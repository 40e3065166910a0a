/** Token ids of one text for a BERT encoder: [CLS] … [SEP], cut to `maxTokens`. */
export interface Encoding {
  ids: number[];
}

export interface WordPieceOptions {
  /** Longest sequence including [CLS] and [SEP] (all-MiniLM-L6-v2 was trained with 256). */
  maxTokens?: number;
  lowercase?: boolean;
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u;
const WHITESPACE = /[\s\p{Zs}]/u;
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;
const COMBINING_MARK = /\p{Mn}/gu;

/**
 * BERT's uncased tokenizer (the "BertNormalizer" + "BertPreTokenizer" + "WordPiece" of the model's
 * tokenizer.json): drops control characters, spaces out CJK ideographs, lowercases and strips
 * accents, splits on whitespace and punctuation, then greedy longest-match-first word pieces from
 * `vocab.txt` (`##` continues a word; a word with no split, or over 100 characters, is [UNK]).
 */
export class WordPieceTokenizer {
  private readonly vocab = new Map<string, number>();
  private readonly maxTokens: number;
  private readonly lowercase: boolean;
  readonly cls: number;
  readonly sep: number;
  readonly unk: number;
  readonly pad: number;

  constructor(vocabText: string, options: WordPieceOptions = {}) {
    vocabText.split('\n').forEach((line, id) => {
      const token = line.replace(/\r$/, '');
      if (token !== '' && !this.vocab.has(token)) this.vocab.set(token, id);
    });
    this.maxTokens = options.maxTokens ?? 256;
    this.lowercase = options.lowercase ?? true;
    this.cls = this.special('[CLS]');
    this.sep = this.special('[SEP]');
    this.unk = this.special('[UNK]');
    this.pad = this.special('[PAD]');
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  encode(text: string): Encoding {
    const ids = [this.cls];
    const room = this.maxTokens - 1;
    for (const word of this.words(text)) {
      for (const id of this.pieces(word)) {
        if (ids.length >= room) break;
        ids.push(id);
      }
      if (ids.length >= room) break;
    }
    ids.push(this.sep);
    return { ids };
  }

  /** The normalised words and punctuation marks of `text`, before word pieces. */
  words(text: string): string[] {
    let clean = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd) continue;
      if (WHITESPACE.test(ch)) clean += ' ';
      else if (CONTROL.test(ch)) continue;
      else if (isCjk(cp)) clean += ` ${ch} `;
      else clean += ch;
    }
    // Character by character, as BERT's normaliser does: a whole-string toLowerCase would turn a word-final Σ into ς.
    if (this.lowercase) clean = Array.from(clean, (ch) => ch.toLowerCase()).join('').normalize('NFD').replace(COMBINING_MARK, '');
    const out: string[] = [];
    for (const chunk of clean.split(' ')) {
      let word = '';
      for (const ch of chunk) {
        if (PUNCTUATION.test(ch)) {
          if (word) out.push(word);
          out.push(ch);
          word = '';
        } else {
          word += ch;
        }
      }
      if (word) out.push(word);
    }
    return out;
  }

  private pieces(word: string): number[] {
    const chars = [...word];
    if (chars.length > 100) return [this.unk];
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end -= 1;
      }
      if (found === undefined) return [this.unk];
      ids.push(found);
      start = end;
    }
    return ids;
  }

  private special(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`the vocabulary has no ${token} token: is this a BERT vocab.txt?`);
    return id;
  }
}

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
