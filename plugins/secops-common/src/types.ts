import { Exemption, Finding } from './schema/openapi';

// What the SecOps backend answers (Finding, FindingSummary, Exemption,
// GateRule, GateReason, GateDecision, GatePolicy, GateMatch, IngestResult,
// PostureTotals, MySecuritySummary, and the pages and lists around them) is
// the spec's (plugins/secops-backend/src/schema/openapi.yaml), generated
// into ./schema/openapi. What is left here is the parsers' own, or derived
// from it.

/** Where in the life of software a finding was found. */
export type FindingCategory = Finding['category'];

/** Severities, normalised across tools, worst first. */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every finding category, as the spec lists them (FindingCategory). */
export const FINDING_CATEGORIES = [
  'sast',
  'sca',
  'dast',
  'secret',
  'misconfig',
  'pii',
  'pentest',
] as const satisfies readonly FindingCategory[];

/** Whether a finding is still there. */
export type FindingStatus = Finding['status'];

/** The report formats the backend understands out of the box. */
export const REPORT_FORMATS = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'npm-audit',
  'zap',
  'defectdojo',
] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A finding as a parser produces it, before it is stored. */
export interface ParsedFinding {
  /**
   * Stable across scans of the same code: the same problem in the same place
   * (or the same vulnerable package) always gets the same fingerprint, even
   * when line numbers shift.
   */
  fingerprint: string;
  category: FindingCategory;
  severity: Severity;
  /** Rule or advisory id: a SARIF ruleId, CVE-2021-44228, GHSA-…, ZAP plugin id. */
  ruleId: string;
  title: string;
  description?: string;
  /** Every advisory id known for this finding (CVE, GHSA, …). */
  aliases?: string[];
  cvssScore?: number;
  packageName?: string;
  packageVersion?: string;
  fixedVersion?: string;
  /** A file path relative to the repository, or a target such as an image. */
  locationPath?: string;
  locationLine?: number;
  /** For DAST: the URL that showed the problem. */
  url?: string;
  /** A page that explains the finding (advisory, rule documentation). */
  helpUrl?: string;
  /** For pen-test findings: who tested, in which engagement, and the retest. */
  pentest?: ParsedPentest;
}

/** What a pen-test report says of an open finding's retest. */
export type PentestRetest = 'not-retested' | 'still-present';

/** The pen-test context of a finding, as a report gives it. */
export interface ParsedPentest {
  tester?: string;
  engagement?: string;
  retest: PentestRetest;
}

/** Where an exemption stands. */
export type ExemptionStatus = Exemption['status'];

/** A page of a list, with the cursor for the next one (one definition for every family). */
export type { Page } from '@portal/common';

/**
 * The signals channel on which an entity's Security tab hears that its
 * findings changed (a scan, an assignment, an exemption), so that it reloads.
 */
export function entitySignalChannel(entityRef: string): string {
  return `secops:entity:${entityRef.toLowerCase()}`;
}
