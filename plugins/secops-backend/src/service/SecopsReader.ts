import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  MySecuritySummary,
  secopsFindingsReadPermission,
  secopsOrganisationReadPermission,
} from '@portal/plugin-secops-common';
import { ExemptionService } from './ExemptionService';
import { FindingService, FindingsQuery } from './FindingService';
import { GateService } from './GateService';
import { PostureService } from './PostureService';
import { DastExposureService } from './DastExposure';
import { Scorecards } from '../scorecards/Scorecards';
import { SecopsAccess } from './SecopsAccess';

/**
 * What a caller may read of SecOps, checked and answered in one place: the
 * routes and the actions assistants call (actions.ts) both go through here,
 * so that an action answers exactly what the Security pages would show the
 * same person, and refuses what they would refuse.
 */
export class SecopsReader {
  constructor(
    private readonly deps: {
      access: SecopsAccess;
      findings: FindingService;
      posture: PostureService;
      gate: GateService;
      exemptions: ExemptionService;
      exposure: DastExposureService;
      scorecards: Scorecards;
    },
  ) {}

  /** Refuses unless the caller may see the entity's findings. */
  async requireEntityReader(
    credentials: BackstageCredentials,
    entityRef: string,
  ) {
    await this.deps.access.authorize(
      credentials,
      secopsFindingsReadPermission,
      entityRef,
    );
  }

  /** Refuses unless the caller is a person of the security team. */
  async requireOrganisationReader(
    credentials: BackstageCredentials,
    what: string,
  ) {
    if (this.deps.access.caller(credentials).type !== 'user') {
      this.deps.access.requireMachineGrant(credentials, 'secops.read', what);
    }
    await this.deps.access.requireSecurityTeam(
      credentials,
      what,
      secopsOrganisationReadPermission,
    );
  }

  /** A page of the entity's findings, worst first. */
  async entityFindings(
    credentials: BackstageCredentials,
    entityRef: string,
    query: FindingsQuery,
  ) {
    await this.requireEntityReader(credentials, entityRef);
    return this.deps.findings.list(entityRef, query);
  }

  /** The entity's open findings by severity and category, overdue, fixed. */
  async entitySummary(credentials: BackstageCredentials, entityRef: string) {
    await this.requireEntityReader(credentials, entityRef);
    const [summary, entity] = await Promise.all([
      this.deps.findings.summary(entityRef),
      this.deps.access.requireEntity(entityRef),
    ]);
    const exposures = await this.deps.exposure.exposures(
      [{ ref: entityRef, entity }],
      new Date(),
    );
    return { ...summary, exposure: exposures.get(entityRef) };
  }

  /** Open findings by severity at the end of each of the last `days` days. */
  async entityTrend(
    credentials: BackstageCredentials,
    entityRef: string,
    days: number,
  ) {
    await this.requireEntityReader(credentials, entityRef);
    return this.deps.posture.trend([entityRef], days);
  }

  /** What the entity's gate would answer now, and what it last answered. */
  async entityGate(credentials: BackstageCredentials, entityRef: string) {
    await this.requireEntityReader(credentials, entityRef);
    const entity = await this.deps.access.requireEntity(entityRef);
    return this.deps.gate.status(entity, entityRef);
  }

  /** The entity's exemptions, the latest requested first. */
  async entityExemptions(
    credentials: BackstageCredentials,
    entityRef: string,
    page: { limit: number; cursor?: string },
  ) {
    await this.requireEntityReader(credentials, entityRef);
    return this.deps.exemptions.list(entityRef, page);
  }

  /**
   * Every component, resource and system the group and its sub-groups own
   * that the caller may see, worst first, with the totals over them and how
   * many are hidden from the caller.
   */
  async groupPosture(
    credentials: BackstageCredentials,
    groupRef: string,
    page: { offset: number; limit: number },
  ) {
    const { owned, visible } = await this.deps.access.visibleOwned(
      credentials,
      groupRef,
    );
    return {
      groupRef,
      ...(await this.deps.posture.groupPosture(visible, page)),
      hidden: owned.length - visible.length,
    };
  }

  /**
   * A group's scorecard roll-up (over all it owns) and the levels of the
   * entities the caller may see, lowest score first.
   */
  async groupScorecard(credentials: BackstageCredentials, groupRef: string) {
    const { access, scorecards } = this.deps;
    const { owned, visible } = await access.visibleOwned(credentials, groupRef);
    const { day, scores, rollUp } = await scorecards.groupLevels(
      groupRef,
      visible,
    );
    const items = visible
      .map(entity => {
        const entityRef = stringifyEntityRef(entity);
        const score = scores.get(entityRef);
        return {
          entityRef,
          title: entity.metadata.title ?? entity.metadata.name,
          level: score?.level as 'bronze' | 'silver' | 'gold' | undefined,
          score: score?.score,
          passed: score?.passed,
          total: score?.total,
        };
      })
      .sort(
        (a, b) =>
          (a.score ?? -1) - (b.score ?? -1) ||
          a.entityRef.localeCompare(b.entityRef),
      );
    return {
      groupRef,
      day,
      rollUp,
      items,
      hidden: owned.length - visible.length,
    };
  }

  /** The group's trend, over what the caller may see. */
  async groupTrend(
    credentials: BackstageCredentials,
    groupRef: string,
    days: number,
  ) {
    const { visible } = await this.deps.access.visibleOwned(
      credentials,
      groupRef,
    );
    return this.deps.posture.trend(
      visible.map(e => stringifyEntityRef(e)),
      days,
    );
  }

  /**
   * The home page's widget, in one call: each of the person's teams with
   * its totals (what they may see), and the components of those teams whose
   * release gate fails now (20 at most).
   */
  async mySummary(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<MySecuritySummary> {
    const { access, posture, gate } = this.deps;
    // Each team side by side (a person in a team and its department waits
    // for the larger, not for both), listed in the order of their teams.
    const perTeam = await Promise.all(
      (
        await access.teamsOf(credentials)
      ).map(async groupRef => {
        const { owned, visible } = await access.visibleOwned(
          credentials,
          groupRef,
        );
        const [{ totals }, node] = await Promise.all([
          posture.groupPosture(visible, { offset: 0, limit: 0 }),
          posture.group(groupRef),
        ]);
        const team: MySecuritySummary['teams'][number] = {
          groupRef,
          title: node?.title ?? groupRef,
          totals,
          hidden: owned.length - visible.length,
        };
        return { team, visible };
      }),
    );
    const teams = perTeam.map(t => t.team);
    const components = new Map<string, Entity>();
    for (const { visible } of perTeam) {
      for (const entity of visible) {
        if (entity.kind.toLowerCase() === 'component') {
          components.set(stringifyEntityRef(entity), entity);
        }
      }
    }
    // The gate reads the whole entity (type, lifecycle, tags, system): one
    // read of the first 20 components.
    const checked = await access.readEntities(
      [...components.keys()].slice(0, 20),
    );
    return {
      teams,
      failingGates: (await gate.failing(checked)).map(entity =>
        stringifyEntityRef(entity),
      ),
    };
  }

  /** Every team side by side, worst first: the security team's. */
  async organisationTeams(credentials: BackstageCredentials) {
    await this.requireOrganisationReader(
      credentials,
      'see the whole organisation',
    );
    return this.deps.posture.teams();
  }

  /** The worst open findings of the organisation: the security team's. */
  async topRisks(credentials: BackstageCredentials, limit: number) {
    await this.requireOrganisationReader(
      credentials,
      'see the whole organisation',
    );
    return this.deps.findings.topRisks(limit);
  }

  /**
   * Entities with open findings of an advisory, rule or package, worst
   * first. `scope: 'organisation'` is the security team's search across
   * everything (refused to anyone else); `scope: 'visible'` answers anyone,
   * over the entities whose findings they may see, and says how many others
   * it left out.
   */
  async exposure(
    credentials: BackstageCredentials,
    id: string,
    options: { scope: 'organisation' | 'visible'; knownExploited?: boolean },
  ) {
    const query = { knownExploited: options.knownExploited };
    if (options.scope === 'organisation') {
      await this.requireOrganisationReader(
        credentials,
        'search the whole organisation',
      );
      return {
        items: await this.deps.findings.exposure(id, query),
        hidden: 0,
      };
    }
    const all = await this.deps.findings.exposure(id, query);
    const visible = await this.deps.access.visibleRefs(
      credentials,
      all.map(row => row.entityRef),
    );
    const items = all.filter(row => visible.has(row.entityRef));
    return { items, hidden: all.length - items.length };
  }
}
