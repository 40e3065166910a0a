import type { GuardText } from '../../text/guard-text.js';
import { lexiconKey, PiiLexicon, type LexiconList } from './lexicon/pii-lexicon.js';
import { PersonRecognizer } from './person.recognizer.js';
import type { LocalSpanRecognizer, PiiMatch } from './span-recognizer.js';

const PLACE_LISTS: ReadonlyArray<readonly [LexiconList, number]> = [
  ['countries', 0.8],
  ['cities', 0.7],
  ['regions', 0.7],
];
/** Longest place name in words ("Saint Vincent and the Grenadines"). */
const MAX_PLACE_WORDS = 6;
const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’.-]*/gu;
/** A place that is also a name or a word ("Jordan", "Chad", "Nice") needs a preposition or a comma before it. */
const PLACE_CUE_BEFORE = /(?:\b(?:in|from|to|at|near|of|into|visit(?:ed|ing)?|across|around|outside|inside|via|through|moved|born|lives?|living|based)|[,\n])[ \t]{1,2}$/iu;
const CAPITALISED = /^\p{Lu}/u;
/** Where someone is, goes or comes from: an unlisted capitalised name after these is a place. */
const PLACE_CUE =
  /\b(?:(?:I\s?am|I'm|we\s(?:are|were)|(?:he|she|they)\s(?:is|was|are|were)|live[sd]?|living|stay(?:ing|ed|s)?|born|grew\sup|moved(?:\shere)?|relocat(?:ed|ing)|travel(?:l?ed|l?ing)|fl(?:y|ew|ying)|arriv(?:ed|es|ing)|land(?:ed|ing)|head(?:ed|ing)|located|based|trip|holiday|vacation|visit(?:ed|ing)?)\s(?:in|to|at|from|near|back\sto)|\bvisit(?:ed|ing)?|\bthis\smorning\sfrom|\bcity\sof|\btown\sof|\bvillage\sof)[ \t]{1,2}(?=\p{Lu})/giu;
const PLACE_NAME = /^(\p{Lu}[\p{L}\p{M}'’-]{1,30}(?:[ \t](?:(?:de|del|di|da|la|le|sur|upon|on|am)[ \t])?\p{Lu}[\p{L}\p{M}'’-]{1,30}){0,3})/u;
/** Where someone works: the capitalised name after these is an organisation. */
const ORG_CUE = /\b(?:work(?:s|ed|ing)?\s(?:at|for)|employed\s(?:at|by)|job\sat|intern(?:ed|ing|ship)?\sat|joined|hired\sby|(?:CEO|CTO|CFO|founder|employee|manager|engineer|director)\s(?:of|at))[ \t]{1,2}(?=\p{Lu})/giu;
const ORG_BEFORE_OFFICE = /(?<![\p{L}])[Tt]he[ \t]{1,2}(\p{Lu}[\p{L}\p{M}\d&'’.-]{1,40}(?:[ \t]\p{Lu}[\p{L}\p{M}\d&'’.-]{1,40}){0,3})[ \t]{1,2}(?:office|offices|headquarters|HQ|team|store|branch)\b/gu;
/** One to four capitalised words (with `&`, `-`, `'`) before a legal form or organisation noun. */
const ORG_NAME = "\\p{Lu}[\\p{L}\\p{M}\\d&'’.-]{0,40}(?:[ \\t](?:&[ \\t])?(?:of[ \\t]|the[ \\t]|and[ \\t])?\\p{Lu}[\\p{L}\\p{M}\\d&'’.-]{0,40}){0,3}";

/**
 * Names and places from the word lists in `data/pii-lexicon/`: PERSON (given names, surnames and
 * context cues), LOCATION (countries, cities, regions) and ORGANIZATION (capitalised words before a
 * legal form or organisation noun: `Acme Inc.`, `Siemens AG`, `Bank of Ireland`). A place or an
 * organisation the lists do not know is not found: for open-ended names, add an NER service through
 * the HTTP recogniser.
 */
export class LexiconRecognizer implements LocalSpanRecognizer {
  readonly name = 'lexicon';
  private readonly persons: PersonRecognizer;
  /** First word's folded key → the places starting with it, as folded word lists, longest first. */
  private readonly places = new Map<string, Array<{ words: string[]; score: number }>>();
  private readonly organisation: RegExp;

  constructor(private readonly lexicon: PiiLexicon = PiiLexicon.shipped()) {
    this.persons = new PersonRecognizer(lexicon);
    for (const [list, score] of PLACE_LISTS) {
      for (const place of lexicon.words(list)) {
        const words = (place.match(WORD) ?? []).map(lexiconKey);
        if (words.length === 0) continue;
        const entries = this.places.get(words[0]!) ?? [];
        entries.push({ words, score });
        this.places.set(words[0]!, entries);
      }
    }
    for (const entries of this.places.values()) entries.sort((a, b) => b.words.length - a.words.length);
    const forms = lexicon
      .words('organisation-forms')
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .sort((a, b) => b.length - a.length)
      .join('|');
    this.organisation = new RegExp(`(?<![\\p{L}\\p{M}\\d])(${ORG_NAME})[ \\t]{1,2}(?:${forms})(?![\\p{L}\\p{M}\\d])\\.?`, 'gu');
  }

  recognize(text: GuardText): PiiMatch[] {
    const view = text.clean;
    const s = view.text;
    const out: PiiMatch[] = [];
    const add = (entity: PiiMatch['entity'], start: number, end: number, score: number) => {
      if (end <= start) return;
      const range = view.range(start, end);
      out.push({ entity, start: range.start, end: range.end, score });
    };
    for (const p of this.persons.find(s)) add('PERSON', p.start, p.end, p.score);
    this.findPlaces(s, add);
    this.findCuedNames(s, add);
    this.findOrganisations(s, add);
    return out;
  }

  private findPlaces(s: string, add: (entity: PiiMatch['entity'], start: number, end: number, score: number) => void): void {
    const words = [...s.matchAll(WORD)].map((m) => ({ text: m[0].replace(/[.'’-]+$/, ''), start: m.index }));
    // Typed without capitals, a listed place counts in lower case too (unless it is also a name or word).
    const caseless = !/\p{Lu}\p{Ll}/u.test(s);
    for (let i = 0; i < words.length; i++) {
      const first = words[i]!;
      if (!CAPITALISED.test(first.text) && !(caseless && !this.isAmbiguous(first.text))) continue;
      const entries = this.places.get(lexiconKey(first.text));
      if (!entries) continue;
      for (const entry of entries) {
        const n = entry.words.length;
        if (i + n > words.length || n > MAX_PLACE_WORDS) continue;
        let match = true;
        for (let k = 1; k < n && match; k++) {
          const w = words[i + k]!;
          const gap = s.slice(words[i + k - 1]!.start + words[i + k - 1]!.text.length, w.start);
          match = lexiconKey(w.text) === entry.words[k] && /^[ \t]{1,2}$/.test(gap);
        }
        if (!match) continue;
        const last = words[i + n - 1]!;
        const end = last.start + last.text.length;
        // A capitalised word after the place makes it part of a longer name ("Jordan Peterson", "Turkey Sandwich Co").
        if (/^[ \t]{1,2}\p{Lu}\p{Ll}/u.test(s.slice(end, end + 3)) && n === 1 && this.isAmbiguous(first.text)) break;
        if (this.isAmbiguous(first.text) && !PLACE_CUE_BEFORE.test(s.slice(Math.max(0, first.start - 16), first.start))) break;
        add('LOCATION', first.start, end, entry.score);
        i += n - 1;
        break;
      }
    }
  }

  /** Unlisted places and organisations named by the words before them ("I am in Porsgrunn", "works at Redfin"). */
  private findCuedNames(s: string, add: (entity: PiiMatch['entity'], start: number, end: number, score: number) => void): void {
    for (const [cue, entity, score] of [
      [PLACE_CUE, 'LOCATION', 0.6],
      [ORG_CUE, 'ORGANIZATION', 0.6],
    ] as const) {
      for (const c of s.matchAll(cue)) {
        const m = { index: c.index + c[0].length };
        const name = PLACE_NAME.exec(s.slice(m.index, m.index + 140))?.[1];
        if (!name) continue;
        const words = name.split(/[ \t]+/);
        // Drop trailing words that are not names ("Porsgrunn For"): stop words end the name.
        let kept = words.length;
        while (kept > 0 && this.lexicon.has('stop-words', words[kept - 1]!)) kept--;
        if (kept === 0 || this.lexicon.has('stop-words', words[0]!) || this.lexicon.has('honorifics', words[0]!)) continue;
        const text = words.slice(0, kept).join(' ');
        const length = name.indexOf(words[kept - 1]!, text.length - words[kept - 1]!.length) + words[kept - 1]!.length;
        add(entity, m.index, m.index + length, score);
      }
    }
    for (const m of s.matchAll(ORG_BEFORE_OFFICE)) {
      if (this.lexicon.has('stop-words', m[1]!.split(/[ \t]/)[0]!)) continue;
      add('ORGANIZATION', m.index + m[0].indexOf(m[1]!), m.index + m[0].indexOf(m[1]!) + m[1]!.length, 0.6);
    }
  }

  /** A place name that is also a name or an everyday word. */
  private isAmbiguous(word: string): boolean {
    const key = lexiconKey(word);
    return (['given-ambiguous', 'surnames-ambiguous', 'stop-words', 'org-heads', 'place-prefixes'] as const).some((list) => this.lexicon.hasKey(list, key));
  }

  private findOrganisations(s: string, add: (entity: PiiMatch['entity'], start: number, end: number, score: number) => void): void {
    this.organisation.lastIndex = 0;
    for (const m of s.matchAll(this.organisation)) {
      let start = m.index;
      let name = m[1]!;
      // Leading words that are not part of a name ("Please call Acme Inc"): drop stop words at the front.
      const lead = /^(\p{L}+)[ \t]+/u;
      let cut = lead.exec(name);
      while (cut && this.lexicon.has('stop-words', cut[1]!) && !this.lexicon.has('organisation-forms', cut[1]!)) {
        start += cut[0].length;
        name = name.slice(cut[0].length);
        cut = lead.exec(name);
      }
      if (!CAPITALISED.test(name) || this.lexicon.has('stop-words', name)) continue;
      add('ORGANIZATION', start, m.index + m[0].length, 0.75);
    }
  }
}
