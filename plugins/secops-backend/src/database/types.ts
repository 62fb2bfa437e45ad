import {
  EpssScore,
  Exemption,
  ExemptionStatus,
  FindingCategory,
  FindingTicket,
  GateDecision,
  GatePolicy,
  FindingStatus,
  IngestResult,
  PentestDetail,
  KevEntry,
  Page,
  ParsedFinding,
  ReportFormat,
  Severity,
} from '@portal/plugin-secops-common';
import type { ExploitabilityStore } from './ExploitabilityStore';
import type { NoticeStore } from './NoticeStore';
import type { OffPathStore } from './OffPathStore';
import type { TicketStore } from './TicketStore';
import type { ScorecardStore } from './ScorecardStore';

/** One upload, parsed, ready to be stored. */
export interface IngestInput {
  entityRef: string;
  tool: string;
  format: ReportFormat | string;
  commitSha?: string;
  branch?: string;
  /** The principal that uploaded: a user ref, or the service's subject. */
  uploadedBy: string;
  reportSha256: string;
  findings: ParsedFinding[];
  /** Whether open findings missing from the report are fixed (default). */
  closesMissing?: boolean;
}

/** A finding as stored, before SLAs are applied. */
export interface StoredFinding
  extends Omit<ParsedFinding, 'aliases' | 'pentest'> {
  /** A pen-test finding's tester, engagement and retest status. */
  pentest?: PentestDetail;
  /** The GitHub issue opened for it, latest first (listings only). */
  ticket?: FindingTicket;
  /** Until when an approved exemption applies (listings only). */
  exemptedUntil?: Date;
  /** Whether an exemption waits for a decision (listings only). */
  exemptionPending?: boolean;
  id: string;
  entityRef: string;
  tool: string;
  aliases: string[];
  status: FindingStatus;
  firstSeenAt: Date;
  lastSeenAt: Date;
  fixedAt?: Date;
  /** The person working on it (a user entity ref), who assigned it, when. */
  assignee?: string;
  assignedBy?: string;
  assignedAt?: Date;
  /** The CVE KEV and EPSS are matched on (its rule id or first CVE alias). */
  cveId?: string;
  /** The CVE's KEV entry, when it is known to be exploited (lists only). */
  kev?: KevEntry;
  /** The CVE's EPSS score (lists only). */
  epss?: EpssScore;
}

export interface ListFindingsQuery {
  entityRef: string;
  status?: FindingStatus;
  severities?: Severity[];
  categories?: FindingCategory[];
  /** Matches rule id, title, package or path. */
  search?: string;
  /** Only findings whose CVE is (true) or is not (false) in KEV. */
  knownExploited?: boolean;
  /** Worst severity first (default), or highest EPSS score first. */
  sort?: 'severity' | 'epss';
  /** Only findings assigned to this user entity ref, or to nobody (null). */
  assignee?: string | null;
  limit: number;
  cursor?: string;
  /** For exemption state; defaults to the current time. */
  now?: Date;
}

export interface NewExemption {
  findingId: string;
  entityRef: string;
  justification: string;
  requestedBy: string;
  expiresAt: Date;
}

export interface ExemptionDecision {
  status: Exclude<ExemptionStatus, 'pending'>;
  decidedBy: string;
  comment?: string;
}

export interface RecordedGateDecision extends GateDecision {
  commitSha?: string;
  branch?: string;
  requestedBy: string;
}

/** Open findings of an entity, counted by severity and category. */
export interface EntityCounts {
  open: Record<Severity, number>;
  byCategory: Partial<Record<FindingCategory, number>>;
  /** Open findings first seen before their severity's SLA cut-off. */
  overdue: number;
  /** Open findings whose CVE is in KEV. */
  knownExploited: number;
  fixed: number;
  lastScanAt?: Date;
}

/** One entry of the event log, with the row it is about. */
export interface StoredEvent {
  id: string;
  kind: 'finding' | 'gate' | 'exemption';
  action: string;
  entityRef: string;
  actor: string;
  at: Date;
  finding?: StoredFinding;
  decision?: GateDecision;
  exemption?: Exemption;
}

/** Open findings by severity at the end of each day. */
export interface TrendPoint {
  day: string;
  open: Record<Severity, number>;
}

/** Where a SIEM webhook is in the event log. */
export interface WebhookDelivery {
  name: string;
  cursor: string;
  attempts: number;
  nextAttemptAt?: Date;
  lastError?: string;
  updatedAt?: Date;
}

/** Findings and the scans that report them (FindingStore.ts). */
export interface FindingStore {
  /**
   * Stores a report's findings for an entity and tool, in one transaction:
   * new fingerprints are created, known ones are seen again (and reopened if
   * they had been fixed), and open ones the report no longer has are fixed
   * (unless `closesMissing` is false). Logs an event per finding changed.
   */
  ingest(input: IngestInput, now: Date): Promise<IngestResult>;
  /** A page of an entity's findings, worst first, with their exemption state. */
  listFindings(query: ListFindingsQuery): Promise<Page<StoredFinding>>;
  /**
   * The latest upload of each entity (that has one) whose format or tool is
   * one of these; of any format and tool without `match`.
   */
  lastScans(
    entityRefs: string[],
    match?: { formats: string[]; tools: string[] },
  ): Promise<Map<string, Date>>;
  /** Whether any report of this tool was stored for the entity. */
  hasScan(entityRef: string, tool: string): Promise<boolean>;
  getFinding(id: string): Promise<StoredFinding | undefined>;
  /**
   * The open findings of `worst` severity or worse that a scan created or
   * reopened (its first `limit`, worst first), and how many there are.
   */
  appearedInScan(
    scanId: string,
    worst: Severity,
    limit: number,
  ): Promise<{ items: StoredFinding[]; totalCount: number }>;
  /** The findings with these ids that exist (at most ID_CHUNK at a time). */
  getFindings(ids: string[]): Promise<StoredFinding[]>;
  /**
   * Assigns these findings to a person (or to nobody, with null), all or
   * none, in one transaction; returns how many changed.
   */
  assign(
    ids: string[],
    assignment: { assignee: string | null; by: string; at: Date },
  ): Promise<number>;

  /**
   * Open findings of the entity at `severity` or worse, first seen before
   * `firstSeenBefore` if given, leaving out those with an active exemption.
   */
  countForGate(
    entityRef: string,
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ): Promise<{ count: number; examples: StoredFinding[] }>;

  /**
   * What countForGate counts, for many entities at once (one grouped query
   * a chunk of entities): by entity ref, entities without any left out.
   */
  countForGateOf(
    entityRefs: string[],
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ): Promise<Map<string, number>>;

  /** The worst open findings across every entity: worst, then oldest. */
  topRisks(limit: number): Promise<StoredFinding[]>;
  /**
   * Who is exposed to an advisory, rule or package: open findings whose
   * rule id, aliases or package name equal the id (only those in KEV when
   * `knownExploited`), grouped by entity.
   */
  findExposure(
    id: string,
    limit: number,
    options?: { knownExploited?: boolean },
  ): Promise<
    Array<{
      entityRef: string;
      findings: number;
      worst: Severity;
      packages: string[];
      knownExploited: boolean;
      epssPercentile?: number;
    }>
  >;

  /**
   * Counts for many entities at once (roll-ups); entities without findings
   * or scans are left out. `overdueBefore` gives, per severity, the
   * first-seen time before which an open finding is overdue (overdue.ts).
   */
  countForEntities(
    entityRefs: string[],
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<Map<string, EntityCounts>>;

  /**
   * Counts every entity's findings, as countForEntities does (the
   * organisation's view: one pass over the findings instead of a lookup
   * per entity).
   */
  countForAll(
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<Map<string, EntityCounts>>;

  /** Counts one entity's findings, as countForEntities does. */
  countFindings(
    entityRef: string,
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<EntityCounts>;
}

/** Exemptions from the gate for one finding each (ExemptionStore.ts). */
/** An approved exemption of an open finding, briefly. */
export interface ApprovedExemption {
  id: string;
  findingId: string;
  expiresAt: Date;
  decidedBy: string;
}

export interface ExemptionStore {
  /** Throws ConflictError when the finding already has a pending or active one. */
  createExemption(input: NewExemption, now: Date): Promise<Exemption>;
  getExemption(id: string, now: Date): Promise<Exemption | undefined>;
  /**
   * Throws NotFoundError when there is no such exemption, ConflictError
   * unless it is pending.
   */
  decideExemption(
    id: string,
    decision: ExemptionDecision,
    now: Date,
  ): Promise<Exemption>;
  /**
   * The approved exemptions of the still-open findings of many entities,
   * expired or not (what the exemptions check judges), by entity ref.
   */
  approvedOnOpenFindings(
    entityRefs: string[],
  ): Promise<Map<string, ApprovedExemption[]>>;
  /** An entity's exemptions, the latest requested first. */
  listExemptions(
    entityRef: string,
    query: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<Exemption>>;
}

/** What the gate answered (GateDecisionStore.ts). */
export interface GateDecisionStore {
  /** Stores the decision and logs its event; returns the decision's id. */
  recordGateDecision(decision: RecordedGateDecision): Promise<string>;
  latestGateDecision(entityRef: string): Promise<GateDecision | undefined>;
  /** When each entity's gate was last asked by a machine (its pipeline, not a person). */
  lastPipelineDecisions(entityRefs: string[]): Promise<Map<string, Date>>;
}

/** The event log, and how far each SIEM webhook got in it (EventStore.ts). */
export interface EventStore {
  /** Events after the given id, oldest first (the SIEM export). */
  listEvents(query: {
    afterId?: string;
    limit: number;
  }): Promise<StoredEvent[]>;

  /**
   * Open findings by severity at the end of each of the last `days` days,
   * summed over the entities, from the event log.
   */
  trend(entityRefs: string[], days: number, now: Date): Promise<TrendPoint[]>;

  /** A webhook's delivery state; at the start of the log when never saved. */
  getWebhookDelivery(name: string): Promise<WebhookDelivery>;
  saveWebhookDelivery(delivery: WebhookDelivery, now: Date): Promise<void>;
  listWebhookDeliveries(): Promise<WebhookDelivery[]>;
}

/** The SecOps stores, one per aggregate, on one database. */
/** A version of the gate policies: all of them, with who changed them and why. */
export interface GatePolicyVersion {
  version: number;
  policies: GatePolicy[];
  changedBy: string;
  reason: string;
  createdAt: string;
}

/** The gate policies' versions (GatePolicyStore.ts). */
export interface GatePolicyStore {
  /** The latest version, if the policies were ever changed in the portal. */
  latest(): Promise<GatePolicyVersion | undefined>;
  /** The versions, newest first, a page at a time. */
  list(page: { offset: number; limit: number }): Promise<{
    items: GatePolicyVersion[];
    totalCount: number;
  }>;
  /**
   * Stores the next version. ConflictError when the latest version is not
   * `basedOn` (someone changed them meanwhile; 0 for the configuration's).
   */
  save(
    change: {
      policies: GatePolicy[];
      changedBy: string;
      reason: string;
      basedOn: number;
    },
    now: Date,
  ): Promise<GatePolicyVersion>;
}

export interface SecopsStores {
  gatePolicies: GatePolicyStore;
  exploitability: ExploitabilityStore;
  findings: FindingStore;
  exemptions: ExemptionStore;
  gateDecisions: GateDecisionStore;
  events: EventStore;
  notices: NoticeStore;
  offPath: OffPathStore;
  tickets: TicketStore;
  scorecards: ScorecardStore;
}
