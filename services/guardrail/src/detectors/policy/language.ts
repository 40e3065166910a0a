/**
 * A small deterministic language identifier: the writing system first (Han, Hangul, Cyrillic…),
 * then, for Latin script, the share of each language's most frequent function words. It abstains
 * (`null`) on short or mixed texts rather than guess.
 */
const SCRIPTS: ReadonlyArray<[RegExp, string]> = [
  [/[\u3040-\u30ff]/g, 'ja'],
  [/[\uac00-\ud7af\u1100-\u11ff]/g, 'ko'],
  [/[\u4e00-\u9fff\u3400-\u4dbf]/g, 'zh'],
  [/[\u0600-\u06ff\u0750-\u077f]/g, 'ar'],
  [/[\u0590-\u05ff]/g, 'he'],
  [/[\u0370-\u03ff]/g, 'el'],
  [/[\u0e00-\u0e7f]/g, 'th'],
  [/[\u0900-\u097f]/g, 'hi'],
  [/[\u0980-\u09ff]/g, 'bn'],
  [/[\u0b80-\u0bff]/g, 'ta'],
  [/[\u10a0-\u10ff]/g, 'ka'],
  [/[\u0530-\u058f]/g, 'hy'],
];

const CYRILLIC = /[\u0400-\u04ff]/g;
const CYRILLIC_WORDS: Record<string, string[]> = {
  ru: ['и', 'в', 'не', 'на', 'что', 'с', 'как', 'это', 'по', 'но', 'он', 'я', 'из', 'у', 'за', 'от', 'все', 'так', 'же', 'для', 'вы', 'мы', 'был', 'или', 'его', 'она', 'ли', 'бы', 'только', 'уже'],
  uk: ['і', 'в', 'не', 'на', 'що', 'з', 'як', 'це', 'по', 'але', 'він', 'я', 'із', 'у', 'за', 'від', 'все', 'так', 'же', 'для', 'ви', 'ми', 'був', 'або', 'його', 'вона', 'чи', 'би', 'тільки', 'вже'],
  bg: ['и', 'в', 'не', 'на', 'че', 'с', 'как', 'това', 'по', 'но', 'той', 'аз', 'от', 'за', 'се', 'да', 'са', 'е', 'ще', 'като', 'при', 'или', 'тя', 'ние', 'вие', 'са', 'има', 'му', 'ли', 'бъде'],
};

const LATIN_WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'are', 'to', 'of', 'in', 'that', 'it', 'for', 'you', 'with', 'on', 'this', 'be', 'have', 'was', 'not', 'what', 'how', 'can', 'my', 'i', 'do', 'your', 'from', 'at', 'an', 'or', 'will', 'would', 'there', 'they', 'we'],
  de: ['der', 'die', 'und', 'ist', 'das', 'nicht', 'ich', 'sie', 'es', 'zu', 'mit', 'den', 'ein', 'eine', 'auf', 'für', 'sich', 'dem', 'wie', 'auch', 'aber', 'wir', 'kann', 'habe', 'haben', 'mein', 'bitte', 'was', 'oder', 'wenn', 'noch', 'nach', 'bei', 'werden'],
  fr: ['le', 'la', 'les', 'et', 'est', 'des', 'un', 'une', 'que', 'pas', 'je', 'vous', 'il', 'elle', 'pour', 'dans', 'sur', 'avec', 'ce', 'qui', 'ne', 'du', 'au', 'mais', 'mon', 'nous', 'sont', 'comment', 'est-ce', 'cette', 'aux', 'par', 'plus', 'votre'],
  es: ['el', 'la', 'los', 'las', 'y', 'es', 'que', 'de', 'en', 'un', 'una', 'no', 'por', 'con', 'para', 'se', 'lo', 'como', 'pero', 'mi', 'su', 'del', 'al', 'está', 'son', 'yo', 'usted', 'qué', 'cómo', 'este', 'esta', 'hay', 'muy', 'puedo'],
  it: ['il', 'lo', 'la', 'gli', 'le', 'e', 'è', 'che', 'di', 'un', 'una', 'non', 'per', 'con', 'si', 'come', 'ma', 'mio', 'sono', 'del', 'della', 'nel', 'io', 'lei', 'questo', 'questa', 'anche', 'ci', 'hai', 'ho', 'posso', 'cosa', 'perché', 'molto'],
  pt: ['o', 'a', 'os', 'as', 'e', 'é', 'que', 'de', 'em', 'um', 'uma', 'não', 'por', 'com', 'para', 'se', 'como', 'mas', 'meu', 'do', 'da', 'no', 'na', 'eu', 'você', 'isso', 'este', 'esta', 'são', 'está', 'muito', 'posso', 'também', 'ao'],
  nl: ['de', 'het', 'een', 'en', 'is', 'van', 'ik', 'niet', 'dat', 'die', 'te', 'in', 'op', 'voor', 'met', 'zijn', 'maar', 'ook', 'je', 'wat', 'hoe', 'mijn', 'kan', 'heb', 'er', 'aan', 'bij', 'nog', 'dit', 'wel', 'naar', 'wordt', 'worden', 'u'],
  sv: ['och', 'att', 'det', 'är', 'som', 'en', 'ett', 'på', 'jag', 'inte', 'för', 'med', 'har', 'de', 'av', 'den', 'till', 'om', 'kan', 'vad', 'hur', 'min', 'du', 'vi', 'men', 'så', 'var', 'eller', 'också', 'från', 'mycket', 'detta', 'när', 'nu'],
  da: ['og', 'at', 'det', 'er', 'som', 'en', 'et', 'på', 'jeg', 'ikke', 'for', 'med', 'har', 'de', 'af', 'den', 'til', 'om', 'kan', 'hvad', 'hvordan', 'min', 'du', 'vi', 'men', 'så', 'var', 'eller', 'også', 'fra', 'meget', 'dette', 'når', 'nu'],
  no: ['og', 'at', 'det', 'er', 'som', 'en', 'et', 'på', 'jeg', 'ikke', 'for', 'med', 'har', 'de', 'av', 'den', 'til', 'om', 'kan', 'hva', 'hvordan', 'min', 'du', 'vi', 'men', 'så', 'var', 'eller', 'også', 'fra', 'mye', 'dette', 'når', 'nå'],
  pl: ['i', 'w', 'nie', 'na', 'że', 'się', 'z', 'to', 'jest', 'do', 'jak', 'co', 'ale', 'o', 'po', 'tak', 'za', 'czy', 'mój', 'moja', 'jestem', 'są', 'od', 'ten', 'ta', 'by', 'mnie', 'może', 'już', 'tylko', 'dla', 'bardzo', 'proszę', 'jego'],
  tr: ['ve', 'bir', 'bu', 'da', 'de', 'ne', 'için', 'ile', 'çok', 'ben', 'sen', 'o', 'mi', 'mı', 'var', 'yok', 'gibi', 'daha', 'ama', 'nasıl', 'benim', 'değil', 'olarak', 'kadar', 'her', 'şey', 'sonra', 'ki', 'ya', 'veya', 'en', 'şu', 'olan', 'bana'],
  id: ['dan', 'yang', 'di', 'ini', 'itu', 'dengan', 'untuk', 'tidak', 'ada', 'saya', 'anda', 'dari', 'ke', 'akan', 'pada', 'juga', 'bisa', 'atau', 'karena', 'kami', 'apa', 'bagaimana', 'sudah', 'harus', 'mereka', 'dalam', 'sangat', 'lebih', 'oleh', 'seperti', 'jika', 'kita', 'adalah', 'tolong'],
  fi: ['ja', 'on', 'ei', 'se', 'että', 'oli', 'hän', 'minä', 'mitä', 'kuin', 'mutta', 'niin', 'ole', 'voi', 'kun', 'tai', 'jos', 'minun', 'sinä', 'me', 'te', 'he', 'tämä', 'siitä', 'myös', 'vain', 'nyt', 'miten', 'kanssa', 'olen', 'ovat', 'sen', 'jo', 'hyvin'],
  cs: ['a', 'je', 'se', 'na', 'v', 'že', 'to', 's', 'z', 'do', 'jak', 'ale', 'o', 'co', 'by', 'jsem', 'jsou', 'pro', 'nebo', 'tak', 'už', 'jeho', 'také', 'jen', 'můj', 'moje', 'prosím', 'být', 'když', 'které', 'který', 'této', 'tento', 'mám'],
};

const LATIN_INDEX = new Map<string, string[]>();
for (const [lang, words] of Object.entries(LATIN_WORDS)) {
  for (const w of words) LATIN_INDEX.set(w, [...(LATIN_INDEX.get(w) ?? []), lang]);
}
const CYRILLIC_INDEX = new Map<string, string[]>();
for (const [lang, words] of Object.entries(CYRILLIC_WORDS)) {
  for (const w of words) CYRILLIC_INDEX.set(w, [...(CYRILLIC_INDEX.get(w) ?? []), lang]);
}

export interface LanguageGuess {
  language: string;
  confidence: number;
}

const LETTER = /\p{L}/gu;
const WORD = /[\p{L}'-]+/gu;

/** The language of `text`, or null when it is too short or too mixed to tell. */
export function identifyLanguage(text: string): LanguageGuess | null {
  const sample = text.length > 4000 ? text.slice(0, 4000) : text;
  const letters = sample.match(LETTER)?.length ?? 0;
  if (letters < 6) return null;
  for (const [re, lang] of SCRIPTS) {
    const n = sample.match(re)?.length ?? 0;
    // A logographic or syllabic script says a lot in few characters.
    if (n / letters >= 0.3 && (n >= 6 || letters >= 20)) return { language: lang, confidence: Math.min(1, n / letters + 0.3) };
  }
  if (letters < 20) return null;
  const cyrillic = sample.match(CYRILLIC)?.length ?? 0;
  if (cyrillic / letters >= 0.5) return byFunctionWords(sample, CYRILLIC_INDEX, 'ru');
  return byFunctionWords(sample, LATIN_INDEX, null);
}

function byFunctionWords(sample: string, index: Map<string, string[]>, fallback: string | null): LanguageGuess | null {
  const scores = new Map<string, number>();
  let words = 0;
  for (const m of sample.toLowerCase().matchAll(WORD)) {
    words++;
    for (const lang of index.get(m[0]) ?? []) scores.set(lang, (scores.get(lang) ?? 0) + 1);
  }
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || words < 4) return fallback ? { language: fallback, confidence: 0.5 } : null;
  const share = first[1] / words;
  const margin = first[1] - (second?.[1] ?? 0);
  if (share < 0.12 || margin < 2) return fallback ? { language: fallback, confidence: 0.5 } : null;
  return { language: first[0], confidence: Math.min(1, share * 2 + margin / words) };
}
