import { NotFoundError } from '@backstage/errors';
import {
  Finding,
  FindingCategory,
  FindingStatus,
  FindingSummary,
  Page,
  Severity,
} from '@portal/plugin-secops-common';
import { FindingStore, StoredFinding } from '../database/types';
import { dueDate, overdueCutoffs, SecopsOptions } from './options';

/** Only http(s) links leave the API: a report cannot smuggle javascript: URLs. */
function safeUrl(value?: string) {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Findings as the API gives them: with their SLA due date and whether they
 * are overdue at `now` (the same SLA as the counts, see overdueCutoffs), and
 * only http(s) links.
 */
export function presentFinding(
  finding: StoredFinding,
  options: SecopsOptions,
  now: Date,
): Finding {
  const due =
    finding.status === 'open'
      ? dueDate(options, finding.severity, finding.firstSeenAt)
      : undefined;
  return {
    ...finding,
    url: safeUrl(finding.url),
    helpUrl: safeUrl(finding.helpUrl),
    firstSeenAt: finding.firstSeenAt.toISOString(),
    lastSeenAt: finding.lastSeenAt.toISOString(),
    fixedAt: finding.fixedAt?.toISOString(),
    dueAt: due?.toISOString(),
    overdue: due ? due.getTime() < now.getTime() : false,
    exemptedUntil: finding.exemptedUntil?.toISOString(),
    exemptionPending: finding.exemptionPending,
    assignedAt: finding.assignedAt?.toISOString(),
    knownExploited: Boolean(finding.kev),
  };
}

/** Which findings of an entity to list (see FindingStore.listFindings). */
export interface FindingsQuery {
  status?: FindingStatus;
  severity?: Severity[];
  category?: FindingCategory[];
  search?: string;
  /** Only findings whose CVE is (true) or is not (false) known exploited. */
  knownExploited?: boolean;
  /** Worst severity first (default), or highest EPSS score first. */
  sort?: 'severity' | 'epss';
  /** Only findings assigned to this user entity ref, or to nobody (null). */
  assignee?: string | null;
  limit: number;
  cursor?: string;
}

/**
 * Reads findings: an entity's, one by id, the worst across the organisation,
 * and who is exposed to an advisory. Callers authorize first.
 */
export class FindingService {
  constructor(
    private readonly findings: FindingStore,
    private readonly options: SecopsOptions,
  ) {}

  /** A page of the entity's findings, worst first. */
  async list(entityRef: string, query: FindingsQuery): Promise<Page<Finding>> {
    const now = new Date();
    const page = await this.findings.listFindings({
      entityRef,
      status: query.status,
      severities: query.severity,
      categories: query.category,
      search: query.search,
      knownExploited: query.knownExploited,
      assignee: query.assignee,
      sort: query.sort,
      limit: query.limit,
      cursor: query.cursor,
    });
    return {
      ...page,
      items: page.items.map(f => presentFinding(f, this.options, now)),
    };
  }

  /** The finding with this id; NotFoundError when there is none. */
  async require(id: string): Promise<StoredFinding> {
    const finding = await this.findings.getFinding(id);
    if (!finding) {
      throw new NotFoundError(`There is no finding ${id}`);
    }
    return finding;
  }

  /** The entity's open findings by severity and category, overdue, fixed. */
  async summary(entityRef: string): Promise<FindingSummary> {
    const counts = await this.findings.countFindings(
      entityRef,
      overdueCutoffs(this.options, new Date()),
    );
    return {
      entityRef,
      open: counts.open,
      byCategory: counts.byCategory,
      overdue: counts.overdue,
      knownExploited: counts.knownExploited,
      fixed: counts.fixed,
      lastScanAt: counts.lastScanAt?.toISOString(),
    };
  }

  /** The worst open findings of the whole organisation, then the oldest. */
  async topRisks(limit: number): Promise<Finding[]> {
    const now = new Date();
    const findings = await this.findings.topRisks(limit);
    return findings.map(f => presentFinding(f, this.options, now));
  }

  /**
   * Entities with open findings of an advisory or rule id, or of a package,
   * worst first.
   */
  async exposure(id: string, options: { knownExploited?: boolean } = {}) {
    return this.findings.findExposure(id, 200, options);
  }
}
