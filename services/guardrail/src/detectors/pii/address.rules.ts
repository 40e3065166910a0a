import type { PiiEntity } from '../../policy/guardrail-policy.js';
import { lexiconKey, type PiiLexicon } from './lexicon/pii-lexicon.js';

type Add = (entity: PiiEntity, start: number, end: number, score: number) => void;

const alt = (words: readonly string[]) => [...words].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
const CAP = "\\p{Lu}[\\p{L}\\p{M}'’.-]{0,30}";
const JOINERS = "(?:de|del|della|di|da|do|dos|das|la|le|les|du|des|el|los|las|y|e|of|the|and)";
/** A town or country line: capitalised words, with the small words place names have inside. */
const PLACE = `${CAP}(?:[ \\t](?:(?:de|del|della|di|da|do|dos|la|le|du|des|sur|upon|on|am|an|im|bei|of|the|and)[ \\t])?${CAP}){0,4}`;
/** Zip and postal codes after the word that names them ("zip code 98547", "PLZ 10115"). */
const POSTCODE_AFTER_WORD = /\b(?:zip(?:\s?code)?|postcode|postal\s+code|post\s+code|plz|code\s+postal|c\.?p\.?|cap)\b[^\d\n]{0,15}?(\d{5}(?:-\d{4})?|\d{4}(?![\d-])|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b/gi;
/** A UK postcode with its space (`SW1A 1AA`): distinctive on its own. */
const UK_POSTCODE = /\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) \d[ABD-HJLNP-UW-Z]{2}\b/g;

/**
 * Street addresses from the street words in the lexicon: a house number and a street type
 * (`221B Baker Street`), a street word before the name and a number (`rue de Rivoli 12`,
 * `19 rue La Boétie`, `ul. Zuchów 65`), a one-word street with a number (`Kuefsteinstrasse 91`),
 * the next lines of an address block (unit, town, country and postcode), a unit alone
 * (`Apt. 502`, `P.O. Box 101`), and postcodes after their name or in the UK format.
 */
export class AddressRules {
  private readonly numberFirst: RegExp;
  private readonly prefixed: RegExp;
  private readonly oneWord: RegExp;
  private readonly unit: RegExp;
  private readonly nextLine: RegExp;

  constructor(private readonly lexicon: PiiLexicon) {
    const types = alt(lexicon.words('street-types'));
    // Street words before the name are written capitalised or not ("Rue", "rue", "ul."); the name itself is capitalised.
    const prefixes = alt([...new Set(lexicon.words('street-prefixes').flatMap((w) => [w, w.toLowerCase()]))]);
    const units = alt(lexicon.words('secondary-units'));
    const unit = `(?:${units})\\.?[ \\t]{0,2}#?[ \\t]?\\d{1,6}[A-Za-z]?`;
    this.numberFirst = new RegExp(
      `(?<![\\p{L}\\p{N}.,-])(?:\\d{1,5}[ \\t])?\\d{1,5}[A-Za-z]?(?:[ \\t]{1,2}${CAP}){1,4}[ \\t]{1,2}(?:${types})\\.?(?![\\p{L}\\p{N}])(?:,?[ \\t]{1,2}${unit})?`,
      'gu',
    );
    this.prefixed = new RegExp(
      `(?<![\\p{L}\\p{N}])((?:\\d{1,5}[ \\t])?\\d{1,5}[A-Za-z]?,?[ \\t]{1,2})?(?:${prefixes})\\.?[ \\t]{1,2}(?:(?:${JOINERS}|\\d{1,3})[ \\t]{1,2})?${CAP}(?:[ \\t]{1,2}(?:(?:${JOINERS}|\\d{1,3})[ \\t]{1,2})?${CAP}){0,4}(,?[ \\t]{1,2}(?:n[º°o]\\.?[ \\t]?)?\\d{1,5}[A-Za-z]?(?![\\p{L}\\p{N}]))?(?:,?[ \\t]{1,2}${unit})?`,
      'gu',
    );
    this.oneWord = new RegExp(`(?<![\\p{L}\\p{N}])(?:\\d{1,5}[ \\t]{1,2})?(\\p{Lu}[\\p{L}\\p{M}-]{3,40})[ \\t]{1,2}\\d{1,4}[a-zA-Z]?(?![\\p{L}\\p{N}])(?:,?[ \\t]{1,2}${unit})?`, 'gu');
    this.unit = new RegExp(`(?<![\\p{L}\\p{N}])${unit}(?![\\p{L}\\p{N}])`, 'gu');
    // The next part of an address block, on the next line or after a comma: a unit, a town or
    // country (maybe with a state code and a postcode), a state code and zip, or a postcode.
    this.nextLine = new RegExp(
      `^(?:,?[ \\t]{0,2}(?:\\n[ \\t>?]{0,4}){1,2}|,[ \\t]{1,2})(?:${unit}|(${PLACE})(?:,?[ \\t]{1,2}[A-Z]{2}(?![\\p{L}]))?(?:,?[ \\t]{1,2}(?:\\d{4,6}(?:-\\d{4})?|[A-Z]{1,2}\\d[A-Z\\d]? \\d[A-Z]{2}))?|,?[ \\t]{0,2}[A-Z]{2}[ \\t]{1,2}\\d{5}(?:-\\d{4})?|\\d{4,6})(?=[ \\t]*(?:[\\n,.;:!?)]|$)|[ \\t]{1,2}\\p{Ll})`,
      'u',
    );
  }

  find(s: string, add: Add): void {
    const street = (start: number, end: number, score: number) => add('ADDRESS', start, this.extend(s, end), score);
    for (const m of s.matchAll(this.numberFirst)) street(m.index, m.index + m[0].length, 0.8);
    for (const m of s.matchAll(this.prefixed)) {
      // A street word and a name are an address only with a house number before or after them.
      if (!m[1] && !m[2]) continue;
      street(m.index, m.index + m[0].length, 0.8);
    }
    for (const m of s.matchAll(this.oneWord)) {
      const key = lexiconKey(m[1]!);
      if (!this.lexicon.words('street-word-endings').some((e) => key.length > e.length + 2 && key.endsWith(e))) continue;
      street(m.index, m.index + m[0].length, 0.8);
    }
    for (const m of s.matchAll(this.unit)) add('ADDRESS', m.index, m.index + m[0].length, 0.7);
    for (const m of s.matchAll(POSTCODE_AFTER_WORD)) {
      const start = m.index + m[0].length - m[1]!.length;
      add('ADDRESS', start, start + m[1]!.length, 0.75);
    }
    for (const m of s.matchAll(UK_POSTCODE)) add('ADDRESS', m.index, m.index + m[0].length, 0.6);
  }

  /** Up to four more lines of the same address block. */
  private extend(s: string, end: number): number {
    for (let i = 0; i < 4; i++) {
      const m = this.nextLine.exec(s.slice(end, end + 120));
      if (!m) break;
      const first = m[1]?.split(/[ \t]/)[0];
      if (first && (this.lexicon.has('stop-words', first) || this.lexicon.has('honorifics', first))) break;
      end += m[0].length;
    }
    return end;
  }
}
