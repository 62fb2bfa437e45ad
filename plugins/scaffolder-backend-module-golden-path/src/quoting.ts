/**
 * Quoting for the languages the golden path writes: every value a template
 * puts into YAML goes through `yamlQuote`, into HCL through `hclQuote`, into
 * a comment or a line of Markdown through `oneLine`. They are registered as
 * template filters (module.ts), so skeletons write `${{ values.x | yamlQuote }}`.
 */

/**
 * Characters a YAML double-quoted scalar must not hold raw: C0 and C1
 * controls, DEL, NEL (U+0085) and the Unicode line and paragraph separators
 * (U+2028, U+2029), which YAML 1.1 parsers (GitHub's among them) take as
 * line breaks, byte-order marks and non-characters, and lone surrogates.
 */
/* eslint-disable no-control-regex */
const YAML_UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

const hex4 = (c: string) =>
  `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A value as one YAML double-quoted scalar (also valid JSON): always a
 * string, on one line, with every character that could end it, start a new
 * line, or be read differently by a YAML 1.1 or 1.2 parser escaped.
 */
export function yamlQuote(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return JSON.stringify(text).replace(YAML_UNSAFE, hex4);
}

/**
 * A value as one HCL (Terraform) quoted string: quotes, backslashes and
 * line breaks escaped, and `${` / `%{` written as literal text.
 */
export function hclQuote(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{')
    .replace(
      YAML_UNSAFE,
      c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `"${escaped}"`;
}

/**
 * A value that stays on its line (a comment, a Markdown line): every line
 * break and control character becomes a space.
 */
export function oneLine(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(YAML_UNSAFE, ' ');
}

/** The filters, by the names templates use. */
export const QUOTING_FILTERS = {
  yamlQuote,
  hclQuote,
  oneLine,
} as const;
