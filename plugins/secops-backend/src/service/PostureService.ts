import { SchedulerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { RefreshingValue } from '@portal/common';
import {
  DastExposure,
  Severity,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { OwnershipService } from '@portal/catalog-ownership';
import { EventStore, FindingStore, TrendPoint } from '../database/types';
import { DastExposureService } from './DastExposure';
import { overdueCutoffs, SecopsOptions } from './options';

/** How long the organisation's teams side by side are answered before they are computed again. */
const ORGANISATION_TTL_MS = 30_000;

type OpenCounts = Record<Severity, number>;

/** One entity of a group's posture. */
export interface EntityPosture {
  entityRef: string;
  title: string;
  kind: string;
  type?: string;
  owner?: string;
  open: OpenCounts;
  overdue: number;
  /** Open findings whose CVE is known to be exploited (CISA KEV). */
  knownExploited: number;
  lastScanAt?: string;
  /** Internet-facing, with its last dynamic scan. */
  exposure?: DastExposure;
}

/** One team of the organisation, summed over what it owns. */
export interface TeamPosture {
  groupRef: string;
  title: string;
  entities: number;
  scanned: number;
  open: OpenCounts;
  overdue: number;
  knownExploited: number;
}

/** Worst first: criticals, then highs, then overdue, then the rest. */
export function worstFirst(
  a: { open: OpenCounts; overdue: number },
  b: { open: OpenCounts; overdue: number },
) {
  return (
    b.open.critical - a.open.critical ||
    b.open.high - a.open.high ||
    b.overdue - a.overdue ||
    b.open.medium - a.open.medium ||
    b.open.low - a.open.low
  );
}

/** Per severity, the sum of `count` over the items. */
function sumBySeverity<T>(items: T[], count: (item: T, s: Severity) => number) {
  return Object.fromEntries(
    SEVERITIES.map(s => [s, items.reduce((n, item) => n + count(item, s), 0)]),
  ) as OpenCounts;
}

/**
 * Security posture over many entities: trends, a group's entities worst
 * first with their totals, and every team side by side. Overdue is counted
 * against the SLA (secops.sla) at the time of the call.
 */
export class PostureService {
  private readonly organisationTeams: RefreshingValue<TeamPosture[]>;

  constructor(
    private readonly deps: {
      findings: FindingStore;
      events: EventStore;
      groups: OwnershipService;
      options: SecopsOptions;
      exposure: DastExposureService;
      now?: () => number;
    },
  ) {
    this.organisationTeams = new RefreshingValue(() => this.readTeams(), {
      maxAgeMs: ORGANISATION_TTL_MS,
      now: deps.now,
    });
  }

  /** A group of the cached tree (its title), if the catalog has it. */
  async group(groupRef: string) {
    return (await this.deps.groups.tree()).get(groupRef);
  }

  /** Open findings by severity at the end of each of the last `days` days. */
  async trend(entityRefs: string[], days: number): Promise<TrendPoint[]> {
    return this.deps.events.trend(entityRefs, days, new Date());
  }

  /**
   * The given entities of a group, worst first, with the totals over all of
   * them; `items` is the page from `offset`.
   */
  async groupPosture(
    entities: Entity[],
    page: { offset: number; limit: number },
  ) {
    const now = new Date();
    const refs = entities.map(e => stringifyEntityRef(e));
    const [counts, exposures] = await Promise.all([
      this.deps.findings.countForEntities(
        refs,
        overdueCutoffs(this.deps.options, now),
      ),
      this.deps.exposure.exposures(
        entities.map((entity, i) => ({ ref: refs[i], entity })),
        now,
      ),
    ]);
    const zero = sumBySeverity([], () => 0);
    const rows: EntityPosture[] = entities
      .map(entity => {
        const entityRef = stringifyEntityRef(entity);
        const c = counts.get(entityRef);
        return {
          entityRef,
          title: entity.metadata.title ?? entity.metadata.name,
          kind: entity.kind,
          type: (entity.spec?.type as string) ?? undefined,
          owner: (entity.spec?.owner as string) ?? undefined,
          open: c?.open ?? zero,
          overdue: c?.overdue ?? 0,
          knownExploited: c?.knownExploited ?? 0,
          lastScanAt: c?.lastScanAt?.toISOString(),
          exposure: exposures.get(entityRef),
        };
      })
      .sort(worstFirst);
    return {
      totals: {
        open: sumBySeverity(rows, (r, s) => r.open[s]),
        overdue: rows.reduce((n, r) => n + r.overdue, 0),
        knownExploited: rows.reduce((n, r) => n + r.knownExploited, 0),
        scanned: rows.filter(r => r.lastScanAt).length,
        dastMissing: rows.filter(r => r.exposure?.dastMissing).length,
      },
      items: rows.slice(page.offset, page.offset + page.limit),
      totalCount: rows.length,
    };
  }

  /**
   * Every team side by side, worst first: the same for every reader (read
   * with the backend's own credentials) and over all findings, so computed
   * once for everyone and refreshed in the background (RefreshingValue:
   * every 30 s, or less often when it takes long to compute).
   */
  async teams(): Promise<TeamPosture[]> {
    return this.organisationTeams.get();
  }

  /**
   * Keeps the organisation's teams computed on this replica: at start
   * (after `initialDelay`) and every five minutes, a task asks for them as a
   * reader would, so that the first reader after a start does not wait for
   * a computation over every finding, and later readers are answered the
   * kept value while it is refreshed. Local: each replica keeps its own.
   */
  async keepTeamsWarm(
    scheduler: SchedulerService,
    initialDelay = { seconds: 20 },
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'secops-organisation-teams',
      scope: 'local',
      frequency: { minutes: 5 },
      timeout: { minutes: 10 },
      initialDelay,
      fn: async () => {
        await this.organisationTeams.get();
      },
    });
  }

  /** Every team now, computed afresh (the weekly digest's). */
  async teamsNow(): Promise<TeamPosture[]> {
    return this.readTeams();
  }

  private async readTeams(): Promise<TeamPosture[]> {
    const { groups, findings, options } = this.deps;
    // Every team of the group tree, however many (the ownership service's
    // cached tree), and what each owns from one read of the owned entities.
    const teams = (await groups.tree())
      .all()
      .filter(group => group.type === 'team')
      .sort((a, b) => a.ref.localeCompare(b.ref));
    const ownedByTeam = await groups.ownedEntitiesByGroup(
      teams.map(team => team.ref),
      { kinds: ['Component', 'Resource', 'System'], fields: [] },
    );
    const owned = teams.map(team => ownedByTeam.get(team.ref) ?? []);
    // The teams own most of the organisation: one pass over all findings.
    const counts = await findings.countForAll(
      overdueCutoffs(options, new Date()),
    );
    const rows = teams.map((team, i) => {
      const refs = owned[i].map(e => stringifyEntityRef(e));
      return {
        groupRef: team.ref,
        title: team.title,
        entities: refs.length,
        scanned: refs.filter(ref => counts.get(ref)?.lastScanAt).length,
        open: sumBySeverity(refs, (ref, s) => counts.get(ref)?.open[s] ?? 0),
        overdue: refs.reduce(
          (n, ref) => n + (counts.get(ref)?.overdue ?? 0),
          0,
        ),
        knownExploited: refs.reduce(
          (n, ref) => n + (counts.get(ref)?.knownExploited ?? 0),
          0,
        ),
      };
    });
    return rows.sort(worstFirst);
  }
}
