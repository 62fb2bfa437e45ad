import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ParsedFinding } from '@portal/plugin-secops-common';

/** Limits that every parser must respect while reading a report. */
export interface ParseLimits {
  /** Stop with an error past this many findings. */
  maxFindings: number;
}

/**
 * Turns one kind of scanner report into normalised findings. The report is
 * given as already-decoded JSON or, for XML formats, as text.
 */
export interface ReportParser {
  /** The format name used in the upload's `format` parameter. */
  format: string;
  /** What the format is, for error messages and docs. */
  description: string;
  /**
   * Whether this parser recognises the document, so that an upload may leave
   * out the format.
   */
  detect(document: unknown): boolean;
  /**
   * Reads the findings. Throws an `InputError` (from @backstage/errors) that
   * says what is wrong when the document is not a valid report of this
   * format.
   */
  parse(document: unknown, limits: ParseLimits): ParsedFinding[];
  /**
   * How to read large JSON reports of this format as a stream. Without it, a
   * report of this format must fit in `secops.limits.maxInMemoryBytes`.
   */
  streaming?: StreamingReportParser;
}

/**
 * A path into a JSON document, from the root: object keys, and `*` for any
 * key or array index. `['runs', '*', 'results']` is every run's results.
 */
export type JsonPathPattern = ReadonlyArray<string>;

/** Where a value is in a JSON document: object keys and array indexes. */
export type JsonPath = ReadonlyArray<string | number>;

/**
 * A format whose bulk sits in a few arrays (SARIF's results, CycloneDX's
 * vulnerabilities). The report is read in two passes: first everything but
 * the items of those arrays (the context: rules, components, metadata), then
 * the items one at a time, so that a report of any size needs the memory of
 * one item.
 */
export interface StreamingReportParser {
  /**
   * The arrays (or objects, whose values are then the items) read one item
   * at a time. In the context they are empty.
   */
  itemPaths: JsonPathPattern[];
  /**
   * Starts reading one report. Validates the context (throws an InputError
   * as `parse` does) and returns the session the items go to.
   */
  start(context: unknown, limits: ParseLimits): ReportItemSession;
}

/** One report being read item by item. */
export interface ReportItemSession {
  /**
   * One item, in document order, with its full path (its container's path
   * and its index or key).
   */
  item(path: JsonPath, value: unknown): void;
  /** The findings, once every item has been given. */
  finish(): ParsedFinding[];
}

function matchesPattern(pattern: JsonPathPattern, path: JsonPath): boolean {
  return (
    pattern.length === path.length &&
    pattern.every(
      (segment, i) => segment === '*' || segment === String(path[i]),
    )
  );
}

function isContainer(
  value: unknown,
): value is unknown[] | Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads an already decoded document with a streaming parser: the document is
 * split into its context and its items exactly as the streaming reader would
 * split it, so that small and large reports give the same findings. A
 * streaming parser's `parse` is this.
 */
export function parseWholeDocument(
  streaming: StreamingReportParser,
  document: unknown,
  limits: ParseLimits,
): ParsedFinding[] {
  const items: Array<{ path: JsonPath; value: unknown }> = [];
  const patterns = streaming.itemPaths;
  // Copies the containers on the way to an item path (so that the caller's
  // document is not changed), leaves the rest shared.
  const split = (value: unknown, path: Array<string | number>): unknown => {
    if (!isContainer(value)) {
      return value;
    }
    if (patterns.some(p => matchesPattern(p, path))) {
      for (const [key, child] of Array.isArray(value)
        ? value.entries()
        : Object.entries(value)) {
        items.push({ path: [...path, key], value: child });
      }
      return Array.isArray(value) ? [] : {};
    }
    const depth = path.length;
    const onTheWay = patterns.some(
      p => p.length > depth && matchesPattern(p.slice(0, depth), path),
    );
    if (!onTheWay) {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((child, i) => split(child, [...path, i]));
    }
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      Object.defineProperty(copy, key, {
        value: split(child, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  };
  const context = split(document, []);
  const session = streaming.start(context, limits);
  for (const { path, value } of items) {
    session.item(path, value);
  }
  return session.finish();
}

/** Where modules add report formats. */
export interface SecopsParsersExtensionPoint {
  addParser(parser: ReportParser): void;
}

export const secopsParsersExtensionPoint =
  createExtensionPoint<SecopsParsersExtensionPoint>({
    id: 'secops.parsers',
  });
