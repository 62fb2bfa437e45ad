/*
 * What the personal-data scanner looks for, one rule per kind of value.
 * Each rule finds candidates on one line with a regular expression, then
 * keeps only those that pass their check (Luhn, mod 97, the 11-check,
 * issuable ranges, a real date) or, for secrets, that are not placeholders.
 * The labelling policy the rules are measured against is in
 * fixtures/pii/README.md.
 */
import {
  bsnValid,
  cardNetworkOf,
  IBAN_LENGTHS,
  ibanValid,
  looksLikePlaceholder,
  luhnValid,
  ninoPrefixValid,
  personnummerValid,
  ssnValid,
} from './checks';

/** The kinds of value the scanner reports. */
export type PiiKind =
  | 'email'
  | 'phone'
  | 'payment-card'
  | 'iban'
  | 'national-id'
  | 'secret';

/** A value found on a line: where it is, never what it is. */
export interface RuleMatch {
  /** The rule's id, e.g. `us-ssn` or `github-token`. */
  rule: string;
  kind: PiiKind;
  /** Offset of the value in the line (0-based, UTF-16 units). */
  start: number;
  /** Length of the value. */
  length: number;
  /** The value with what identifies it hidden. */
  masked: string;
}

interface Rule {
  id: string;
  kind: PiiKind;
  title: string;
  /** Candidates on one line (the regex must be global). */
  pattern: RegExp;
  /** Which capture group is the value (0: the whole match). */
  group?: number;
  /** Only lines that match this are searched. */
  lineFilter?: RegExp;
  /** Whether a candidate is a real value of this kind. */
  accept?(match: RegExpExecArray, line: string): boolean;
  mask(value: string): string;
}

/** Hides every letter and digit but the last `keep`, keeping separators. */
function maskTail(value: string, keep: number): string {
  const chars = [...value];
  let seen = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    if (/[A-Za-z0-9]/.test(chars[i])) {
      seen++;
      if (seen > keep) chars[i] = '*';
    }
  }
  return chars.join('');
}

/** Keeps a secret's public prefix (`ghp_`, `AKIA`) and its length only. */
function maskSecret(prefix: string) {
  return (value: string) => `${prefix}… (${value.length} characters)`;
}

const digitsOf = (value: string) => value.replace(/\D/g, '');

const RESERVED_DOMAIN =
  /(^|\.)(example\.(com|org|net)|example|test|invalid|localhost|local)$/i;
// Retina image names (logo@2x.png) and module paths look like addresses.
const FILE_EXTENSION_TLD =
  /^(png|jpe?g|gif|svg|webp|ico|js|mjs|cjs|ts|tsx|jsx|css|scss|map|json|ya?ml|md|txt|html?|lock|zip|gz|tar|wasm)$/i;

const RULES: Rule[] = [
  {
    id: 'email',
    kind: 'email',
    title: 'Email address',
    pattern:
      /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))(?![\w-])/g,
    accept(m, line) {
      const [whole, domain, tld] = m;
      if (RESERVED_DOMAIN.test(domain) || FILE_EXTENSION_TLD.test(tld)) {
        return false;
      }
      if (whole.includes('..')) return false;
      // The user of a URL (ssh://git@github.com/org/repo), and git remotes
      // (git@github.com:org/repo.git), are not mailboxes.
      if (/[a-z][a-z0-9+.-]*:\/\/$/i.test(line.slice(0, m.index))) {
        return false;
      }
      const after = line[m.index + whole.length];
      return !(after === ':' && /^git@/i.test(whole));
    },
    mask(value) {
      const [local, domain] = value.split('@');
      const dot = domain.lastIndexOf('.');
      return `${local[0]}***@${domain[0]}***${domain.slice(dot)}`;
    },
  },
  {
    id: 'phone-international',
    kind: 'phone',
    title: 'Phone number',
    pattern:
      /(?<![\w+/.-])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,12}){1,7}(?![\w]|[.-]\d)/g,
    accept(m, line) {
      const digits = digitsOf(m[0]);
      if (digits.length < 8 || digits.length > 15) return false;
      // +2024-01-15 is a date, +1.2.3 a version.
      if (/^\+\d{4}-\d{2}-\d{2}/.test(m[0])) return false;
      if (/^\+\d+(\.\d+){2,}$/.test(m[0]) && digits.length < 10) return false;
      const before = line.slice(0, m.index);
      // A sum or offset: "x + 44", "UTC+05:30".
      return !/[\d)]\s*$/.test(before);
    },
    mask: value => maskTail(value, 2),
  },
  {
    id: 'phone-north-america',
    kind: 'phone',
    title: 'Phone number',
    pattern:
      /(?<![\w.+/-])(?:\(([2-9]\d{2})\)[ ]?|([2-9]\d{2})([-.]))[2-9]\d{2}[-.]\d{4}(?![\w-]|\.\d)/g,
    accept(m) {
      // The separators agree: 415-555-0132, 415.555.0132, (415) 555-0132.
      const sep = m[3];
      if (sep) return m[0].split(sep).length === 3;
      return true;
    },
    mask: value => maskTail(value, 2),
  },
  {
    id: 'payment-card',
    kind: 'payment-card',
    title: 'Payment card number',
    pattern: /(?<![\w.,-])\d(?:[ -]?\d){11,18}(?![\w-]|[.,]\d)/g,
    accept(m) {
      const value = m[0];
      const separators = new Set(value.replace(/\d/g, ''));
      if (separators.size > 1) return false;
      if (separators.size === 1) {
        // Grouped as cards are printed: 4-4-4-4(-3), Amex 4-6-5, Diners
        // 4-6-4 or 4-4-4-2.
        const groups = value.split(/[ -]/).map(g => g.length);
        const shape = groups.join('-');
        if (
          !/^4-4-4-4(-[1-3])?$|^4-6-5$|^4-6-4$|^4-4-4-[1-3]$|^4-4-4$/.test(shape)
        ) {
          return false;
        }
      }
      const digits = digitsOf(value);
      return !!cardNetworkOf(digits) && luhnValid(digits);
    },
    mask: value => maskTail(value, 4),
  },
  {
    id: 'iban',
    kind: 'iban',
    title: 'IBAN',
    pattern: /(?<![A-Za-z0-9])([A-Z]{2})\d{2}(?:[A-Z0-9]|[ ](?=[A-Z0-9])){10,40}/g,
    accept(m, line) {
      // Take the country's length of characters, then require a boundary:
      // the regex may have run on into the next word.
      const expected = IBAN_LENGTHS[m[1]];
      if (!expected) return false;
      let compact = '';
      let end = m.index;
      while (end < line.length && compact.length < expected) {
        const ch = line[end];
        if (ch !== ' ') compact += ch;
        else if (line[end + 1] === ' ') break;
        end++;
      }
      if (compact.length !== expected || /[A-Za-z0-9]/.test(line[end] ?? '')) {
        return false;
      }
      if (!ibanValid(compact)) return false;
      // Report exactly the IBAN's characters.
      m[0] = line.slice(m.index, end);
      return true;
    },
    mask: value => `${value.slice(0, 2)}${maskTail(value.slice(2), 4)}`,
  },
  {
    id: 'us-ssn',
    kind: 'national-id',
    title: 'US Social Security number',
    pattern: /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])/g,
    accept: m => ssnValid(m[1], m[2], m[3]),
    mask: value => maskTail(value, 2),
  },
  {
    id: 'uk-nino',
    kind: 'national-id',
    title: 'UK National Insurance number',
    pattern:
      /(?<![A-Za-z0-9])([A-Z]{2})(?: ?\d{2}){3} ?[A-D](?![A-Za-z0-9])/g,
    accept: m => ninoPrefixValid(m[1]),
    mask: value => maskTail(value, 1),
  },
  {
    id: 'nl-bsn',
    kind: 'national-id',
    title: 'Dutch citizen service number (BSN)',
    lineFilter: /\b(bsn|burgerservicenummer)\b/i,
    pattern: /(?<![\w.-])(\d{4})[.]?(\d{2})[.]?(\d{3})(?![\w-]|\.\d)/g,
    accept: m => bsnValid(m[1] + m[2] + m[3]),
    mask: value => maskTail(value, 1),
  },
  {
    id: 'se-personnummer',
    kind: 'national-id',
    title: 'Swedish personal identity number',
    pattern: /(?<![\w-])(19|20)?(\d{6})[-+](\d{4})(?![\w-])/g,
    accept: m => personnummerValid(m[2], m[3], m[1]),
    mask: value => maskTail(value, 1),
  },
  {
    id: 'aws-access-key',
    kind: 'secret',
    title: 'AWS access key id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    accept: m => !looksLikePlaceholder(m[0].slice(4), 2.5),
    mask: value => maskSecret(value.slice(0, 4))(value),
  },
  {
    id: 'aws-secret-key',
    kind: 'secret',
    title: 'AWS secret access key',
    lineFilter: /aws_?secret_?(access_?)?key|secret_?access_?key/i,
    pattern:
      /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    accept: m => !looksLikePlaceholder(m[1], 3.5),
    mask: maskSecret(''),
  },
  {
    id: 'github-token',
    kind: 'secret',
    title: 'GitHub token',
    pattern:
      /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
    accept: m => !looksLikePlaceholder(m[0].replace(/^(gh._|github_pat_)/, '')),
    mask: value => maskSecret(value.startsWith('github_pat_') ? 'github_pat_' : value.slice(0, 4))(value),
  },
  {
    id: 'slack-token',
    kind: 'secret',
    title: 'Slack token',
    pattern: /(?<![A-Za-z0-9-])xox[abprs]-\d+(?:-\d+)*-[A-Za-z0-9]{8,}(?![A-Za-z0-9-])/g,
    accept: m => !looksLikePlaceholder(m[0].slice(5), 2.5),
    mask: value => maskSecret(value.slice(0, 5))(value),
  },
  {
    id: 'google-api-key',
    kind: 'secret',
    title: 'Google API key',
    pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    accept: m => !looksLikePlaceholder(m[0].slice(4)),
    mask: maskSecret('AIza'),
  },
  {
    id: 'stripe-secret-key',
    kind: 'secret',
    title: 'Stripe live secret key',
    pattern: /(?<![A-Za-z0-9_])[sr]k_live_[0-9A-Za-z]{24,}(?![A-Za-z0-9_])/g,
    accept: m => !looksLikePlaceholder(m[0].slice(8)),
    mask: value => maskSecret(value.slice(0, 8))(value),
  },
  {
    id: 'private-key',
    kind: 'secret',
    title: 'Private key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    // The header says only what kind of key follows.
    mask: value => value,
  },
]; // prettier-ignore

/** Every rule, for documentation and SARIF rule descriptors. */
export const PII_RULES: ReadonlyArray<Pick<Rule, 'id' | 'kind' | 'title'>> =
  RULES.map(({ id, kind, title }) => ({ id, kind, title }));

/**
 * The personal data and secrets on one line of text. Overlapping candidates
 * (a phone number inside a card number's digits) keep the longest.
 */
export function scanLine(line: string): RuleMatch[] {
  const found: RuleMatch[] = [];
  for (const rule of RULES) {
    if (rule.lineFilter && !rule.lineFilter.test(line)) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(line); m; m = rule.pattern.exec(line)) {
      if (m[0].length === 0) {
        rule.pattern.lastIndex++;
        continue;
      }
      if (rule.accept && !rule.accept(m, line)) continue;
      const value = m[rule.group ?? 0];
      const start =
        rule.group !== undefined ? m.index + m[0].lastIndexOf(value) : m.index;
      found.push({
        rule: rule.id,
        kind: rule.kind,
        start,
        length: value.length,
        masked: rule.mask(value),
      });
    }
  }
  found.sort((a, b) => a.start - b.start || b.length - a.length);
  const kept: RuleMatch[] = [];
  for (const match of found) {
    const last = kept[kept.length - 1];
    if (last && match.start < last.start + last.length) {
      if (match.length > last.length) kept[kept.length - 1] = match;
      continue;
    }
    kept.push(match);
  }
  return kept;
}
