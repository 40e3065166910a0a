import { lexiconKey, type PiiLexicon } from './lexicon/pii-lexicon.js';

/** Endings that mark a surname in many languages (`-ov`, `-sson`, `-poulos`, `-ević`…), matched on folded text. */
const SURNAME_ENDING = new RegExp(
  [
    // Slavic
    '[a-z]{3,}(?:ov|ova|ev|eva|yev|yeva|ovich|evich|ovna|evna|enko|chuk|yuk|sky|skiy|skii|skaya|ski|ska|cki|cka|dzki|dzka|wicz|owicz|ewicz|vic|vich|ovic|evic|ovski|evski|ova|kova|cek|czyk|czak|zyk)',
    // Nordic, Icelandic, Finnish, Baltic
    '[a-z]{2,}(?:sson|dottir|sdottir|sen|nen|inen|strom|qvist|kvist|gren|lund|blad|aitis|aite|iene|auskas|avicius|evicius|ulis|iute)',
    // Greek, Romanian, Turkish, Armenian, Georgian
    '[a-z]{2,}(?:poulos|opoulou|akis|idis|iadis|escu|eanu|oglu|yan|shvili|dze|adze|idze)',
    // German, Dutch, Jewish, Irish/Scottish prefixes
    '[a-z]{2,}(?:mann|stein|berg|feld|baum|thal|bauer|meyer|meier|mayer|witz|schmidt|huber|hofer)',
    // Spanish and Portuguese patronymics, Italian diminutives, Persian, Sinhala, Japanese
    '[a-z]{3,}(?:ez|az|iz|eira|eiro|aes|etti|otti|elli|ucci|acci|ini|zadeh|pour|nejad|singhe|moto|mura|yama|kawa|gawa|hara|bara|shita|saki|zaki|shima|jima|hashi|bashi|guchi|uchi|tani|naka|oka)',
    // Cyrillic
    '[а-я]{2,}(?:ов|ова|ев|ева|ёв|ёва|ский|ская|цкий|цкая|енко|ук|юк|вич|вна)',
    // Greek
    '[α-ω]{2,}(?:πουλος|πουλου|ακης|ιδης|ιαδης)',
  ]
    .map((p) => `^${p}$`)
    .join('|'),
);

/** How much a word, alone, says about being part of a person's name. */
export type NameClass =
  /** A given name that is not also a common word: `Jennifer`, `Giuseppe`, `Oluwaseun`. */
  | 'given'
  /** A given name that is also a word, place or product: `Grace`, `Victoria`, `Ruby`. */
  | 'given?'
  /** A listed surname, or a word with a surname ending: `Kowalski`, `Nguyen`, `Gunnarsdóttir`. */
  | 'family'
  /** A surname that is also a word: `Brown`, `King`, `Park`. */
  | 'family?'
  | null;

/**
 * What the name lists (`data/pii-lexicon/given*.json`, `surnames*.json`) say about single words.
 * A given name that is also a word, place or brand is ambiguous: it counts only beside another name.
 *
 * @example new NameLexicon(PiiLexicon.shipped()).nameClass('Kowalski') // 'family'
 */
export class NameLexicon {
  constructor(private readonly lexicon: PiiLexicon) {}

  /** The class of one word (any case; hyphenated names are judged by the whole, then the first part). */
  nameClass(word: string): NameClass {
    if (/^(?:Mc|Mac)\p{Lu}\p{Ll}{2,}$|^Fitz\p{Ll}{3,}$/u.test(word)) return 'family';
    // Serbo-Croatian and Slovene surnames: the accented ending is distinctive (plain "-ic" is English).
    if (/\p{L}{3,}(?:ić|ič)$/u.test(word)) return 'family';
    const key = lexiconKey(word);
    const given = this.givenClass(key) ?? (key.includes('-') ? this.givenClass(key.slice(0, key.indexOf('-'))) : null);
    if (given === 'given') return given;
    const family = this.familyClass(key) ?? (key.includes('-') ? this.familyClass(key.slice(key.lastIndexOf('-') + 1)) : null);
    if (family === 'family') return family;
    return given ?? family;
  }

  /** Whether a word is a listed surname or has a surname's ending (given names that are also surnames included). */
  isSurname(word: string): boolean {
    return this.familyClass(lexiconKey(word)) !== null;
  }

  private givenClass(key: string): NameClass {
    if (this.lexicon.hasKey('given-ambiguous', key)) return 'given?';
    return this.lexicon.hasKey('given', key) ? 'given' : null;
  }

  private familyClass(key: string): NameClass {
    if (this.lexicon.hasKey('surnames-ambiguous', key)) return 'family?';
    if (this.lexicon.hasKey('surnames', key)) return 'family';
    if (key.length >= 5 && SURNAME_ENDING.test(key) && !this.lexicon.hasKey('surname-shaped-words', key)) return 'family';
    if (/^(?:o'|d'|al-|el-)[a-z]{3,}$/.test(key)) return 'family';
    return null;
  }
}
