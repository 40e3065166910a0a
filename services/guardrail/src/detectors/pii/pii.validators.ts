/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir). */
export function cardIssuerKnown(digits: string): boolean {
  const n = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  const six = Number(digits.slice(0, 6));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return n === 16;
  if (two === 34 || two === 37) return n === 15;
  if (four === 6011 || two === 65 || (three >= 644 && three <= 649) || (six >= 622126 && six <= 622925)) return n >= 16 && n <= 19;
  if (four >= 3528 && four <= 3589) return n >= 16 && n <= 19;
  if (two === 36 || two === 38 || two === 39 || (three >= 300 && three <= 305) || three === 309) return n >= 14 && n <= 19;
  if (two === 62 || two === 81) return n >= 16 && n <= 19;
  if (two === 50 || (two >= 56 && two <= 69)) return n >= 12 && n <= 19;
  if (four >= 2200 && four <= 2204) return n >= 16 && n <= 19;
  return false;
}

/** IBAN lengths by country (ISO 13616 registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27,
  GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 7064 mod 97-10 over an IBAN without spaces, upper case. */
export function ibanValid(iban: string): boolean {
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (!expected || iban.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const d of value) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * US Social Security Number rules: area not 000, 666 or 900–999; group not 00; serial not 0000;
 * not one digit nine times. Published numbers (`us-ssn-published.json`) pass: they only score lower.
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !/^(\d)\1{8}$/.test(`${area}${group}${serial}`);
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** UK National Insurance number: the prefixes HMRC never issues (BG, GB, KN, NK, NT, TN, ZZ) are refused. */
export function ukNinoValid(compact: string): boolean {
  const nino = compact.toUpperCase();
  return /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(nino) && !/^(?:BG|GB|KN|NK|NT|TN|ZZ)/.test(nino);
}

/**
 * German Steuer-IdNr: 11 digits, no leading 0, in the first ten exactly one digit repeated (twice or
 * three times), and the ISO 7064 MOD 11,10 check digit last.
 */
export function deTaxIdValid(digits: string): boolean {
  if (!/^[1-9]\d{10}$/.test(digits)) return false;
  const counts = new Map<string, number>();
  for (const d of digits.slice(0, 10)) counts.set(d, (counts.get(d) ?? 0) + 1);
  const repeated = [...counts.values()].filter((n) => n > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  let product = 10;
  for (const d of digits.slice(0, 10)) {
    let sum = (Number(d) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product === 10 ? 0 : 11 - product;
  return check === Number(digits[10]);
}

/** French NIR: 13 characters (Corsica's 2A/2B counted as 19/18) and the key 97 − (number mod 97). */
export function frNirValid(compact: string): boolean {
  const nir = compact.toUpperCase();
  if (!/^[12]\d{4}(?:\d{2}|2[AB])\d{8}$/.test(nir)) return false;
  const body = nir.slice(0, 13).replace('2A', '19').replace('2B', '18');
  return 97 - Number(BigInt(body) % 97n) === Number(nir.slice(13));
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI/NIF (8 digits) and NIE (X, Y or Z and 7 digits): the control letter is the number mod 23. */
export function esNifValid(compact: string): boolean {
  const nif = compact.toUpperCase().replace(/-/g, '');
  const m = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(nif);
  if (!m || m[1]!.length + m[2]!.length !== 8) return false;
  const number = Number(`${m[1] ? 'XYZ'.indexOf(m[1]) : ''}${m[2]}`);
  return NIF_LETTERS[number % 23] === m[3];
}

const FISCAL_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: 16 characters, the last a check letter over the odd and even positions. */
export function itFiscalCodeValid(compact: string): boolean {
  const code = compact.toUpperCase();
  if (!/^[A-Z0-9]{16}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = code[i]!;
    const value = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65;
    sum += i % 2 === 0 ? FISCAL_ODD[value]! : value;
  }
  return String.fromCharCode(65 + (sum % 26)) === code[15];
}

/** The checks an id format in `data/pii-id-formats.json` can name. */
export const ID_CHECKSUMS: Readonly<Record<string, (compact: string) => boolean>> = {
  'uk-nino': ukNinoValid,
  'de-tax-id': deTaxIdValid,
  'fr-nir': frNirValid,
  'es-nif': esNifValid,
  'it-fiscal-code': itFiscalCodeValid,
};
