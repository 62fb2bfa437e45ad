import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityAuthorization,
  MachineIdentities,
  OwnershipService,
  refsOf,
} from '@portal/catalog-ownership';
import {
  DeliveryMetrics,
  MySloSummary,
  ObservabilityLink,
  Page,
  ReliabilityAlert,
  Slo,
  SloBriefs,
  SloDefinitionProblem,
  SloHistoryPoint,
  sreReliabilityReadPermission,
  SreSourceStatus,
  TeamDelivery,
} from '@portal/plugin-sre-common';
import { SreStore } from '../database/SreStore';
import { teamDelivery } from '../delivery/dora';
import { LinkTemplate, observabilityLinks } from './observability';
import { SloDefinitions } from './SloDefinitions';

/** A reader and the policy's one decision on reliability data for them. */
export interface Reader {
  credentials: BackstageCredentials;
  decision: Awaited<ReturnType<EntityAuthorization['decide']>>;
}

/** One page of a list. */
export interface PageQuery {
  cursor?: string;
  limit?: number;
}

/** One page of alerts, firing or resolved ones only if asked. */
export interface AlertQuery extends PageQuery {
  status?: 'firing' | 'resolved';
}

const OWNED_KINDS = ['Component', 'Resource', 'System'];

/**
 * What the SRE plugin answers, for whoever asks: its routes and the actions
 * assistants call over MCP. Every read starts with `reader` (a person, or a
 * machine granted sre.read, and the policy's decision), and every entity is
 * read with the caller's credentials and checked against that decision, so
 * that an action never answers more than the Reliability tab shows.
 */
export class ReliabilityService {
  constructor(
    private readonly o: {
      machines: MachineIdentities;
      authorization: EntityAuthorization;
      auth: AuthService;
      catalog: CatalogService;
      hierarchy: OwnershipService;
      store: SreStore;
      definitions: SloDefinitions;
      linkTemplates: LinkTemplate[];
      /** Whether DORA measures are computed (sre.delivery). */
      deliveryConfigured?: boolean;
      status: () => SreSourceStatus;
      now?: () => number;
    },
  ) {}

  /** Who may read reliability data, and the policy's decision for them. */
  async reader(credentials: BackstageCredentials): Promise<Reader> {
    this.o.machines.requireGrant(
      this.o.machines.classify(credentials),
      'sre.read',
      'read reliability data',
    );
    const decision = await this.o.authorization.decide(
      credentials,
      sreReliabilityReadPermission,
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError('You may not see reliability data');
    }
    return { credentials, decision };
  }

  /**
   * The entity, read with the caller's credentials (so the catalog's own
   * permissions apply), if the policy's decision allows its reliability data.
   */
  private async readableEntity(ref: string, who: Reader): Promise<Entity> {
    const entity = await this.o.catalog.getEntityByRef(ref, {
      credentials: who.credentials,
    });
    if (!entity) throw new NotFoundError(`${ref} is not in the catalog`);
    if (!who.decision.allows(entity)) {
      throw new NotAllowedError(`You may not see the reliability of ${ref}`);
    }
    return entity;
  }

  /** Where the SLI data comes from, the last evaluation, and the unreadable SLO files the caller may see. */
  async status(
    credentials: BackstageCredentials,
  ): Promise<SreSourceStatus & { problems: SloDefinitionProblem[] }> {
    const { decision } = await this.reader(credentials);
    let problems = this.o.definitions.currentProblems();
    if (decision.result === AuthorizeResult.CONDITIONAL && problems.length) {
      // Only the problems of entities the conditions allow.
      const { items } = await this.o.catalog.getEntitiesByRefs(
        { entityRefs: [...new Set(problems.map(p => p.entityRef))] },
        { credentials: await this.o.auth.getOwnServiceCredentials() },
      );
      const allowed = new Set(
        items
          .filter((e): e is Entity => !!e && decision.allows(e))
          .map(e => stringifyEntityRef(e)),
      );
      problems = problems.filter(p => allowed.has(p.entityRef));
    }
    return { ...this.o.status(), problems };
  }

  /** An entity's SLOs, worst first, and the problems of its SLO file. */
  async entitySlos(
    credentials: BackstageCredentials,
    ref: string,
    query: PageQuery = {},
  ): Promise<Page<Slo> & { problems: SloDefinitionProblem[] }> {
    await this.readableEntity(ref, await this.reader(credentials));
    return {
      ...(await this.o.store.listSlos([ref], query)),
      problems: this.o.definitions
        .currentProblems()
        .filter(p => p.entityRef === ref),
    };
  }

  /** Dashboards, logs and traces of the entity (annotations, then config). */
  async observability(
    credentials: BackstageCredentials,
    ref: string,
  ): Promise<{ configured: boolean; links: ObservabilityLink[] }> {
    const entity = await this.readableEntity(
      ref,
      await this.reader(credentials),
    );
    return {
      configured: this.o.linkTemplates.length > 0,
      links: observabilityLinks(entity, this.o.linkTemplates),
    };
  }

  /** The entity's DORA measures (from GitHub, on a schedule). */
  async entityDelivery(
    credentials: BackstageCredentials,
    ref: string,
  ): Promise<{ configured: boolean; metrics?: DeliveryMetrics }> {
    await this.readableEntity(ref, await this.reader(credentials));
    const [metrics] = await this.o.store.delivery([ref]);
    return { configured: !!this.o.deliveryConfigured, metrics };
  }

  async entityAlerts(
    credentials: BackstageCredentials,
    ref: string,
    query: AlertQuery = {},
  ): Promise<Page<ReliabilityAlert>> {
    await this.readableEntity(ref, await this.reader(credentials));
    return this.o.store.listAlerts([ref], query);
  }

  /** An SLO's evaluations over the last `days`; its entity decides who may see it. */
  async history(
    credentials: BackstageCredentials,
    sloId: string,
    days: number,
  ): Promise<{ slo: Slo; points: SloHistoryPoint[] }> {
    const who = await this.reader(credentials);
    const slo = await this.o.store.getSlo(sloId);
    if (!slo) throw new NotFoundError(`There is no SLO ${sloId}`);
    await this.readableEntity(slo.entityRef, who);
    const now = (this.o.now ?? Date.now)();
    const since = new Date(now - days * 86_400_000);
    return { slo, points: await this.o.store.history(slo.id, since) };
  }

  /** What a group and the groups below it own, and the caller may see. */
  private async subtree(groupRef: string, who: Reader): Promise<string[]> {
    const group = await this.o.catalog.getEntityByRef(groupRef, {
      credentials: who.credentials,
    });
    if (!group) throw new NotFoundError(`${groupRef} is not in the catalog`);
    if (who.decision.result === AuthorizeResult.ALLOW) {
      // Refs only: whole entities (SLO definitions inline among their
      // annotations) cost the catalog far more to send.
      return refsOf(
        await this.o.hierarchy.ownedEntities(groupRef, {
          kinds: OWNED_KINDS,
          fields: [],
        }),
      );
    }
    // Conditions: what the policy's rules read, and only what they allow.
    const owned = await this.o.hierarchy.ownedEntities(groupRef, {
      kinds: OWNED_KINDS,
      fields: ['metadata', 'spec', 'relations'],
    });
    return refsOf(owned.filter(entity => who.decision.allows(entity)));
  }

  /**
   * The SLOs of many entities in brief (up to 500): those the catalog has
   * and the caller may see, each read with the caller's credentials and
   * checked against the policy's decision; the others are counted, not
   * named.
   */
  async sloBriefs(
    credentials: BackstageCredentials,
    entityRefs: string[],
  ): Promise<SloBriefs> {
    const who = await this.reader(credentials);
    const asked = [...new Set(entityRefs.map(ref => ref.toLowerCase()))];
    const { items } = await this.o.catalog.getEntitiesByRefs(
      { entityRefs: asked },
      { credentials },
    );
    const visible = items
      .filter((e): e is Entity => !!e && who.decision.allows(e))
      .map(e => stringifyEntityRef(e));
    const briefs = await this.o.store.briefsByEntity(visible);
    return {
      items: visible.map(entityRef => ({
        entityRef,
        slos: briefs.get(entityRef) ?? [],
      })),
      hidden: asked.length - visible.length,
    };
  }

  /** The SLOs of what the signed-in person's teams own, worst first. */
  async mySummary(credentials: BackstageCredentials): Promise<MySloSummary> {
    const who = await this.reader(credentials);
    if (!this.o.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError('Only a person has teams');
    }
    const teams = await this.o.hierarchy.groupsOf(
      credentials.principal.userEntityRef,
    );
    // Each team's subtree side by side.
    const subtrees = await Promise.all(
      teams.map(team => this.subtree(team, who)),
    );
    const refs = new Set(subtrees.flat());
    const slos = await this.o.store.listSlos([...refs], { limit: 8 });
    return { teams, totalCount: slos.totalCount, worst: slos.items };
  }

  /** The SLOs of everything a group and the groups below it own, worst first. */
  async groupSlos(
    credentials: BackstageCredentials,
    groupRef: string,
    query: PageQuery = {},
  ): Promise<Page<Slo> & { entityCount: number }> {
    const refs = await this.subtree(groupRef, await this.reader(credentials));
    return {
      ...(await this.o.store.listSlos(refs, query)),
      entityCount: refs.length,
    };
  }

  /** The team's delivery: each entity's measures and the team's together. */
  async groupDelivery(
    credentials: BackstageCredentials,
    groupRef: string,
  ): Promise<{
    configured: boolean;
    team: TeamDelivery;
    entities: DeliveryMetrics[];
  }> {
    const entities = await this.o.store.delivery(
      await this.subtree(groupRef, await this.reader(credentials)),
    );
    return {
      configured: !!this.o.deliveryConfigured,
      team: teamDelivery(entities),
      entities,
    };
  }

  async groupAlerts(
    credentials: BackstageCredentials,
    groupRef: string,
    query: AlertQuery = {},
  ): Promise<Page<ReliabilityAlert>> {
    const refs = await this.subtree(groupRef, await this.reader(credentials));
    return this.o.store.listAlerts(refs, query);
  }
}
