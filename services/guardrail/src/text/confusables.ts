/**
 * Letters from other scripts that render like Latin ones (a subset of Unicode's confusables.txt:
 * the Cyrillic, Greek, Armenian, Cherokee and small-capital look-alikes attackers use to slip
 * words past filters). NFKC already folds fullwidth, mathematical and circled letters.
 */
const TABLE: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ɡ: 'g', ү: 'y', ѵ: 'v', ԍ: 'g',
  А: 'a', В: 'b', Е: 'e', Ё: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', У: 'y', Х: 'x',
  Ѕ: 's', І: 'i', Ї: 'i', Ј: 'j', Ԁ: 'd', Ԛ: 'q', Ԝ: 'w', Һ: 'h', Ӏ: 'l', Ү: 'y',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
  // Armenian and Cherokee
  օ: 'o', ս: 'u', ց: 'g', ո: 'n', հ: 'h', ք: 'p', Ꭺ: 'a', Ᏼ: 'b', Ꮯ: 'c', Ꭰ: 'd', Ꭼ: 'e', Ꮋ: 'h', Ꭻ: 'j', Ꮶ: 'k',
  Ꮮ: 'l', Ꮇ: 'm', Ꮲ: 'p', Ꮪ: 's', Ꭲ: 't', Ꮃ: 'w', Ꮤ: 'w', Ꮓ: 'z',
  // Latin small capitals and other look-alikes NFKC leaves alone
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm',
  ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
  ı: 'i', ȷ: 'j', ℓ: 'l', ƅ: 'b', ɑ: 'a', ɩ: 'i', ʋ: 'v', ꞵ: 'b', ɸ: 'f', ø: 'o', Ø: 'o', ð: 'd', đ: 'd', ł: 'l', Ł: 'l',
  ß: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', þ: 'th',
};

const MAP = new Map<number, string>(Object.entries(TABLE).map(([k, v]) => [k.codePointAt(0)!, v]));

/** The Latin letter(s) a look-alike stands for, or undefined when `cp` is not a known look-alike. */
export function confusableOf(cp: number): string | undefined {
  // Regional indicator symbols (🇦…🇿) spell letters too.
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return String.fromCharCode(97 + cp - 0x1f1e6);
  return MAP.get(cp);
}
