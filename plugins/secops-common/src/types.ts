/** Where in the life of software a finding was found. */
export type FindingCategory = 'sast' | 'sca' | 'dast' | 'secret' | 'misconfig';

/** Severities, normalised across tools, worst first. */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether a finding is still there. */
export type FindingStatus = 'open' | 'fixed';

/** The report formats the backend understands out of the box. */
export const REPORT_FORMATS = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'npm-audit',
  'zap',
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
}

/** Where an exemption stands. */
export type ExemptionStatus = 'pending' | 'approved' | 'rejected';

/** An accepted risk on one finding, until it expires. */
export interface Exemption {
  id: string;
  findingId: string;
  entityRef: string;
  justification: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  status: ExemptionStatus;
  /** Approved and not yet expired: the finding does not count in gates. */
  active: boolean;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
}

/** One rule of a gate policy: at most maxOpen findings this bad (or worse). */
export interface GateRule {
  severity: Severity;
  maxOpen: number;
  /** Only findings first seen more than this many days ago count. */
  maxAgeDays?: number;
}

/** Which entities a gate applies to; every field given must match. */
export interface GateMatch {
  kind?: string[];
  type?: string[];
  lifecycle?: string[];
  /** Any one of these tags. */
  tags?: string[];
  system?: string[];
}

/** A gate policy, owned by SecOps. */
export interface GatePolicy {
  name: string;
  match: GateMatch;
  rules: GateRule[];
}

/** Why a gate failed (or what it checked). */
export interface GateReason {
  rule: GateRule;
  count: number;
  passed: boolean;
  message: string;
  /** A few of the findings that count, worst first. */
  examples: Array<{
    id: string;
    ruleId: string;
    title: string;
    severity: Severity;
  }>;
}

/** The answer a pipeline gets. */
export interface GateDecision {
  /** Set when the decision was recorded (the CI endpoint). */
  decisionId?: string;
  entityRef: string;
  gate: string;
  passed: boolean;
  reasons: GateReason[];
  evaluatedAt: string;
}

/** A stored finding, as the API returns it. */
export interface Finding extends Omit<ParsedFinding, 'aliases'> {
  id: string;
  entityRef: string;
  tool: string;
  aliases: string[];
  status: FindingStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  fixedAt?: string;
  /** When it must be fixed by, from its severity's SLA. */
  dueAt?: string;
  overdue: boolean;
  /** Until when an approved exemption keeps it out of gates. */
  exemptedUntil?: string;
  /** An exemption waiting for the security team. */
  exemptionPending?: boolean;
}

/** Counts of open findings for one entity. */
export interface FindingSummary {
  entityRef: string;
  open: Record<Severity, number>;
  byCategory: Partial<Record<FindingCategory, number>>;
  overdue: number;
  fixed: number;
  lastScanAt?: string;
}

/** What one upload did. */
export interface IngestResult {
  scanId: string;
  entityRef: string;
  tool: string;
  format: ReportFormat;
  /** Findings in the report (after de-duplication). */
  received: number;
  created: number;
  reopened: number;
  unchanged: number;
  /** Open findings of this tool and entity that the report no longer has. */
  fixed: number;
  /**
   * Whether this upload could fix findings it no longer has: only scans
   * from the entity's own CI or the security team do; a report a team
   * uploads by hand adds findings and never closes them.
   */
  closesMissing: boolean;
}

/** A page of a list, with the cursor for the next one (one definition for every family). */
export type { Page } from '@portal/common';

/** Open findings by severity, overdue ones, and how many entities were scanned. */
export interface PostureTotals {
  open: Record<Severity, number>;
  overdue: number;
  scanned: number;
}

/**
 * `GET /me/summary`: the signed-in person's teams' security in one call,
 * for the home page.
 */
export interface MySecuritySummary {
  /** Each team the person is in, with what it (and the groups below) own. */
  teams: Array<{
    groupRef: string;
    title: string;
    totals: PostureTotals;
    /** Entities of the team the person may not see the findings of. */
    hidden: number;
  }>;
  /** Components of those teams whose release gate fails now (20 at most). */
  failingGates: string[];
}
