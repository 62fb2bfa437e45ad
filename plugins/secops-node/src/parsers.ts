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
}

/** Where modules add report formats. */
export interface SecopsParsersExtensionPoint {
  addParser(parser: ReportParser): void;
}

export const secopsParsersExtensionPoint =
  createExtensionPoint<SecopsParsersExtensionPoint>({
    id: 'secops.parsers',
  });
