/*
 * Shared helpers of the built-in report parsers: defensive readers for
 * untrusted decoded JSON, severity normalisation, fingerprint hashing and the
 * collector that de-duplicates findings and enforces the finding limit.
 * One file (above 500 lines), in the sections below, so that every parser
 * takes its helpers from one import.
 */
import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';
import { ParseLimits } from '@portal/plugin-secops-node';

/** Longest title a parser produces. */
export const MAX_TITLE_LENGTH = 200;
/** Longest description a parser produces. */
export const MAX_DESCRIPTION_LENGTH = 8000;

/**
 * The severity given to a finding whose report states no usable severity.
 * A known vulnerability or rule hit of unknown severity is treated as medium
 * rather than hidden among the informational findings.
 */
export const UNKNOWN_SEVERITY: Severity = 'medium';

// ---------------------------------------------------------------------------
// Reading untrusted values

export type JsonObject = Record<string, unknown>;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, in words, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** A non-empty trimmed string; numbers are turned into strings. */
export function getString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed.length > 0 ? trimmed : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

/** A finite number, also from a numeric string such as "7.5". */
export function getNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A positive integer (line numbers), or undefined. */
export function getPositiveInteger(value: unknown): number | undefined {
  const n = getNumber(value);
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** An own property of an object (never one inherited from its prototype). */
export function ownProperty(
  object: JsonObject | undefined,
  key: string,
): unknown {
  return object && Object.prototype.hasOwnProperty.call(object, key)
    ? object[key]
    : undefined;
}

/** The value when it is an array, else an empty array. */
export function arrayOrEmpty(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it is a plain object, else undefined. */
export function recordOrUndefined(value: unknown): JsonObject | undefined {
  return isRecord(value) ? value : undefined;
}

/** The value when it is an http(s) URL, else undefined. */
export function httpUrl(value: unknown): string | undefined {
  const text = getString(value);
  if (!text || !/^https?:\/\/[^\s]+$/i.test(text)) {
    return undefined;
  }
  return text;
}

// ---------------------------------------------------------------------------
// Errors

/**
 * Builds the error thrown for a report that is not valid: the label names the
 * format ("Not a SARIF 2.1.0 report"), the detail says what is wrong.
 */
export function reportError(label: string, detail: string): InputError {
  return new InputError(`${label}: ${detail}`);
}

/**
 * Reads an optional array: missing or null gives an empty array, any other
 * non-array is an error.
 */
export function optionalArray(
  value: unknown,
  path: string,
  label: string,
): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw reportError(
      label,
      `${path} must be an array, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Reads a required array. */
export function requiredArray(
  value: unknown,
  path: string,
  label: string,
): unknown[] {
  if (value === undefined) {
    throw reportError(label, `${path} is missing`);
  }
  if (!Array.isArray(value)) {
    throw reportError(
      label,
      `${path} must be an array, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Reads an array element or property that must be an object. */
/** The report's top level, which must be a JSON object. */
export function requiredRootObject(
  document: unknown,
  label: string,
): JsonObject {
  if (!isRecord(document)) {
    throw reportError(
      label,
      `expected a JSON object, got ${describeValue(document)}`,
    );
  }
  return document;
}

export function requiredRecord(
  value: unknown,
  path: string,
  label: string,
): JsonObject {
  if (!isRecord(value)) {
    throw reportError(
      label,
      `${path} must be an object, got ${describeValue(value)}`,
    );
  }
  return value;
}

// ---------------------------------------------------------------------------
// Text

/** Cuts a text to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The first non-empty line of a text, trimmed and cut to a title's length. */
export function firstLine(
  text: string | undefined,
  max = MAX_TITLE_LENGTH,
): string | undefined {
  if (!text) {
    return undefined;
  }
  const line = text
    .split(/\r?\n/)
    .map(l => l.trim())
    .find(l => l.length > 0);
  return line ? truncate(line, max) : undefined;
}

/** The first sentence of a text (or its first line), cut to a title's length. */
export function firstSentence(
  text: string | undefined,
  max = MAX_TITLE_LENGTH,
): string | undefined {
  const line = firstLine(text, Number.MAX_SAFE_INTEGER);
  if (!line) {
    return undefined;
  }
  const match = /^(.+?[.!?])(\s|$)/.exec(line);
  return truncate(match ? match[1] : line, max);
}

/** A description, trimmed and cut to the maximum length; empty gives undefined. */
export function cleanDescription(
  ...parts: Array<string | undefined>
): string | undefined {
  const text = parts
    .map(p => p?.trim())
    .filter((p): p is string => !!p)
    .join('\n\n');
  return text ? truncate(text, MAX_DESCRIPTION_LENGTH) : undefined;
}

const HTML_ENTITIES = new Map<string, string>([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', ' '],
]);

/** Decodes the common named and numeric HTML entities. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(
    /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi,
    (whole, entity: string) => {
      if (entity.startsWith('#')) {
        const code =
          entity[1] === 'x' || entity[1] === 'X'
            ? parseInt(entity.slice(2), 16)
            : parseInt(entity.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
      return HTML_ENTITIES.get(entity.toLowerCase()) ?? whole;
    },
  );
}

/**
 * Turns an HTML fragment into plain text: block ends become line breaks, other
 * tags are dropped, entities are decoded and blank runs are collapsed.
 */
export function stripHtml(html: string | undefined): string | undefined {
  if (!html) {
    return undefined;
  }
  const text = decodeHtmlEntities(
    html
      .replace(/<\s*br\s*\/?>/gi, '\n')
      .replace(/<\s*\/\s*(p|div|li|tr|h[1-6])\s*>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .split('\n')
    .map(line => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text.length > 0 ? text : undefined;
}

/**
 * Normalises a code snippet or message for fingerprinting: whitespace runs
 * collapse (so re-indentation does not matter) and line / column references
 * ("line 12", "foo.js:12:3") are removed so that line shifts do not matter.
 */
export function normaliseForFingerprint(text: string): string {
  return text
    .replace(/\b(line|ln|row|col|column)s?\s*[:#]?\s*\d+/gi, '$1')
    .replace(/:\d+(:\d+)?\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The distinct non-empty strings of a list, in first-seen order. */
export function uniqueStrings(values: Iterable<string | undefined>): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    if (value) {
      seen.add(value);
    }
  }
  return [...seen];
}

// ---------------------------------------------------------------------------
// Severity

const SEVERITY_RANK: Record<Severity, number> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

/** The worse of two severities. */
export function worseSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** The worst of some severities, or undefined when there are none. */
export function worstSeverity(
  severities: Iterable<Severity | undefined>,
): Severity | undefined {
  let worst: Severity | undefined;
  for (const severity of severities) {
    if (severity) {
      worst = worst ? worseSeverity(worst, severity) : severity;
    }
  }
  return worst;
}

/**
 * Severity of a CVSS base score: 9+ critical, 7+ high, 4+ medium, above 0
 * low, 0 info. Anything that is not a score in 0..10 gives undefined.
 */
export function severityFromCvss(score: unknown): Severity | undefined {
  const n = getNumber(score);
  if (n === undefined || n < 0 || n > 10) {
    return undefined;
  }
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'medium';
  if (n > 0) return 'low';
  return 'info';
}

// A Map, not an object literal: report text such as "constructor" must not
// reach Object.prototype.
const SEVERITY_WORDS = new Map<string, Severity>([
  ['critical', 'critical'],
  ['crit', 'critical'],
  ['blocker', 'critical'],
  ['high', 'high'],
  ['important', 'high'],
  ['severe', 'high'],
  ['medium', 'medium'],
  ['moderate', 'medium'],
  ['low', 'low'],
  ['minor', 'low'],
  ['info', 'info'],
  ['informational', 'info'],
  ['information', 'info'],
  ['negligible', 'info'],
  ['none', 'info'],
]);

/**
 * Normalises a tool's severity word (any case): critical, high/important,
 * medium/moderate, low, info/informational/negligible/none. SARIF levels are
 * not severity words: see the SARIF parser. Unknown words
 * ("UNKNOWN", "unspecified", …) give undefined so that the caller can fall
 * back to a score.
 */
export function normaliseSeverity(value: unknown): Severity | undefined {
  const text = getString(value);
  if (!text) {
    return undefined;
  }
  return SEVERITY_WORDS.get(text.toLowerCase());
}

// ---------------------------------------------------------------------------
// Fingerprints

/**
 * A sha256 (hex) over the parts. The parts are joined with a separator that
 * cannot appear in them unescaped, so ("a", "bc") and ("ab", "c") differ.
 */
export function fingerprintOf(...parts: Array<string | number | undefined>) {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(
      String(part ?? '')
        .replace(/\\/g, '\\\\')
        .replace(/\0/g, '\\0'),
    );
    hash.update('\0');
  }
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------
// Collecting findings

/** Drops the properties whose value is undefined, for tidy output. */
function compact(finding: ParsedFinding): ParsedFinding {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(finding)) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      out[key] = value;
    }
  }
  return out as unknown as ParsedFinding;
}

/** The finding limit, read defensively. */
function maxFindingsOf(limits: ParseLimits | undefined): number {
  const max = limits?.maxFindings;
  return typeof max === 'number' && max >= 0 ? max : Infinity;
}

/**
 * Gathers the findings of one report: findings with the same fingerprint are
 * merged (keeping the worst severity and every alias), and the report is
 * refused with an InputError as soon as it has more distinct findings than
 * the limit allows.
 */
export class FindingCollector {
  private readonly findings = new Map<string, ParsedFinding>();
  private readonly max: number;

  constructor(limits: ParseLimits | undefined) {
    this.max = maxFindingsOf(limits);
  }

  add(finding: ParsedFinding): void {
    const existing = this.findings.get(finding.fingerprint);
    if (existing) {
      const severity = worseSeverity(existing.severity, finding.severity);
      const aliases = uniqueStrings([
        ...(existing.aliases ?? []),
        ...(finding.aliases ?? []),
      ]);
      this.findings.set(
        finding.fingerprint,
        compact({
          ...(severity === existing.severity ? existing : finding),
          severity,
          aliases,
        }),
      );
      return;
    }
    if (this.findings.size >= this.max) {
      throw new InputError(
        `The report has more than ${this.max} findings, the limit is ${this.max}`,
      );
    }
    this.findings.set(finding.fingerprint, compact(finding));
  }

  get size(): number {
    return this.findings.size;
  }

  toArray(): ParsedFinding[] {
    return [...this.findings.values()];
  }
}

// ---------------------------------------------------------------------------
// Package URLs

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Map<string, string>;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits a package URL (pkg:type/namespace/name@version?qualifiers#subpath).
 * Gives undefined for anything that is not one.
 */
export function parsePurl(value: unknown): PurlParts | undefined {
  const purl = getString(value);
  const match = purl
    ? /^pkg:([a-z0-9.+-]+)\/([^?#]+)(\?[^#]*)?(#.*)?$/i.exec(purl)
    : null;
  if (!match) {
    return undefined;
  }
  let path = match[2].replace(/\/+$/, '');
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > path.lastIndexOf('/')) {
    version = safeDecode(path.slice(at + 1)) || undefined;
    path = path.slice(0, at);
  }
  const segments = path.split('/').filter(Boolean).map(safeDecode);
  const name = segments.pop();
  if (!name) {
    return undefined;
  }
  const qualifiers = new Map<string, string>();
  for (const pair of (match[3] ?? '').slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) {
      qualifiers.set(
        safeDecode(pair.slice(0, eq)).toLowerCase(),
        safeDecode(pair.slice(eq + 1)),
      );
    }
  }
  return {
    type: match[1].toLowerCase(),
    namespace: segments.length > 0 ? segments.join('/') : undefined,
    name,
    version,
    qualifiers,
  };
}

/** The name to show for a package: npm and maven keep their namespace. */
export function purlDisplayName(parts: PurlParts): string {
  if (!parts.namespace) {
    return parts.name;
  }
  if (parts.type === 'npm' || parts.type === 'golang') {
    return `${parts.namespace}/${parts.name}`;
  }
  if (parts.type === 'maven') {
    return `${parts.namespace}:${parts.name}`;
  }
  return parts.name;
}

/** The title of a vulnerability: its first sentence, else "ID in package". */
export function vulnerabilityTitle(
  id: string,
  packageName: string | undefined,
  ...texts: Array<string | undefined>
): string {
  for (const text of texts) {
    const sentence = firstSentence(text);
    if (sentence) {
      return sentence;
    }
  }
  return truncate(
    packageName ? `${id} in ${packageName}` : id,
    MAX_TITLE_LENGTH,
  );
}
