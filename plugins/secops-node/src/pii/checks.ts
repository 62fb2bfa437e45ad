/*
 * The check digits and plausibility tests behind the personal-data rules:
 * a number that has the right shape but fails its check is not reported.
 */

/** The Luhn (mod 10) check of a string of digits. */
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

/**
 * Whether a payment card number's prefix and length belong to a card
 * network (Visa, Mastercard, American Express, Discover, JCB, Diners Club,
 * UnionPay, Maestro).
 */
export function cardNetworkOf(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) {
    return 'mastercard';
  }
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if (
    (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) &&
    n >= 16 &&
    n <= 19
  ) {
    return 'discover';
  }
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if (
    (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) &&
    n >= 14 &&
    n <= 19
  ) {
    return 'diners';
  }
  if (p2 === 62 && n >= 16 && n <= 19) return 'unionpay';
  if ((p4 === 5018 || p4 === 5020 || p4 === 5038 || p4 === 6304) && n >= 12) {
    return 'maestro';
  }
  return undefined;
}

/**
 * IBAN lengths by country (ISO 13616 registry). A country not listed here
 * does not issue IBANs, so its codes are not reported.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22,
  BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27,
  DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19,
  MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23,
  TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** The ISO 7064 mod 97-10 check of a compact, upper-case IBAN. */
export function ibanValid(iban: string): boolean {
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    let value: number;
    if (code >= 48 && code <= 57) value = code - 48;
    else if (code >= 65 && code <= 90) value = code - 55;
    else return false;
    remainder =
      value >= 10
        ? (remainder * 100 + value) % 97
        : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** A US Social Security number's area, group and serial are all issuable. */
export function ssnValid(area: string, group: string, serial: string) {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

const NINO_FIRST = /^[A-CEGHJ-PR-TW-Z]$/;
const NINO_SECOND = /^[A-CEGHJ-NPR-TW-Z]$/;
const NINO_NEVER = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** A UK National Insurance number's prefix letters are allocatable. */
export function ninoPrefixValid(prefix: string): boolean {
  return (
    NINO_FIRST.test(prefix[0]) &&
    NINO_SECOND.test(prefix[1]) &&
    !NINO_NEVER.has(prefix)
  );
}

/** The Dutch BSN "elfproef" (11-check) of nine digits. */
export function bsnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  sum -= Number(digits[8]);
  return sum % 11 === 0;
}

/**
 * A Swedish personal identity number: a real date (the day plus 60 for a
 * co-ordination number) and a Luhn check over the ten-digit form.
 */
export function personnummerValid(
  yymmdd: string,
  serial: string,
  century?: string,
): boolean {
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (day > 60) day -= 60;
  if (month < 1 || month > 12 || day < 1) return false;
  const year = century
    ? Number(century + yymmdd.slice(0, 2))
    : 2000 + Number(yymmdd.slice(0, 2));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  return luhnValid(yymmdd + serial);
}

/** Shannon entropy of a string, in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Whether a would-be secret is a placeholder rather than a credential: a
 * documented example, a run of one character (`xxxx`), or too little
 * randomness for a generated token.
 */
export function looksLikePlaceholder(body: string, minEntropy = 3): boolean {
  return (
    /EXAMPLE/i.test(body) ||
    /(.)\1{5,}/.test(body) ||
    /x{4,}|X{4,}|0123456789|abcdef|your[_-]?/i.test(body) ||
    entropy(body) < minEntropy
  );
}
