import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  AttributedCost,
  CostShare,
  CostSummary,
  finopsOrganisationReadPermission,
  GroupCost,
  OrganisationCost,
} from '@portal/plugin-finops-common';
import {
  RESOURCE_SIZES,
  ResourceType,
  SizeCatalogue,
  sizeOf,
} from '@portal/plugin-finops-node';
import { FinopsAccess } from '../api/access';
import { CostCatalog, CostCatalogSnapshot } from './CostCatalog';
import { CostService } from './CostService';
import { Direction } from './figures';
import { OrganisationCostService } from './OrganisationCostService';

/** One page of a list. */
export interface PageQuery {
  cursor?: string;
  limit: number;
}

/** Where to look for movers: a group and everything below it, or the organisation. */
export type MoversScope = { groupRef: string } | { organisation: true };

/** A product's cost, with each of its parts the caller may see. */
export interface ProductCost extends CostSummary {
  kind: 'system' | 'domain';
  ownerRef?: string;
  /** Its components and resources (a system) or systems (a domain). */
  parts: Array<CostShare & { ownerRef?: string }>;
  /** Parts owned by teams whose cost the caller may not see (in the total, not listed). */
  hiddenParts: number;
}

/** The golden path's monthly estimate of a resource type's sizes. */
export interface ResourceEstimate {
  currency: string;
  type: ResourceType;
  title: string;
  sizes: Array<{
    size: string;
    description: string;
    monthlyCost: number;
    settings: Record<string, string | number | boolean>;
  }>;
}

const offsetOf = (cursor?: string) => Number(cursor ?? 0);

/**
 * What a caller may read of FinOps, checked and answered in one place: the
 * cost routes and the actions assistants call (actions.ts) both go through
 * here, with FinopsAccess's decisions, so that an action answers exactly
 * what the Cost tabs and the finance page would show the same person, and
 * refuses what they would refuse.
 */
export class FinopsReader {
  constructor(
    private readonly deps: {
      access: FinopsAccess;
      catalog: CostCatalog;
      costs: CostService;
      organisation: OrganisationCostService;
      /** The golden path's price list (templates/iac/sizes.yaml). */
      sizes: () => Promise<SizeCatalogue>;
      /** The cost-allocation tag key (finops.tagKey). */
      tagKey: string;
    },
  ) {}

  /** A component's, resource's, system's or domain's cost, as its Cost tab shows it. */
  async entityCost(
    credentials: BackstageCredentials,
    entityRef: string,
    days: number,
  ): Promise<CostSummary> {
    const { ref, snapshot } = await this.deps.access.entityFor(
      credentials,
      entityRef,
    );
    return this.deps.costs.entityCost(snapshot, ref, days);
  }

  /**
   * The spend attributed to many entities (a scorecard's batch): those the
   * catalog has and the caller may see, as their Cost tabs would; the
   * others are counted, not named.
   */
  async attributedCost(
    credentials: BackstageCredentials,
    entityRefs: string[],
    days: number,
  ): Promise<AttributedCost> {
    this.deps.access.requireCaller(credentials);
    const asked = [...new Set(entityRefs.map(ref => ref.toLowerCase()))];
    const snapshot = await this.deps.catalog.snapshot();
    const allowed = await this.deps.access.ownerFilter(credentials);
    const visible = asked.filter(ref => {
      const entity = snapshot.entities.get(ref);
      return entity && allowed(entity.ownerRef ?? ref);
    });
    return {
      tagKey: this.deps.tagKey,
      ...(await this.deps.costs.attributedTotals(visible, days)),
      hidden: asked.length - visible.length,
    };
  }

  /** A group's cost and everything below it, as the manager's view shows it. */
  async groupCost(
    credentials: BackstageCredentials,
    groupRef: string,
    days: number,
  ): Promise<GroupCost> {
    const { ref, snapshot, allowed } = await this.deps.access.groupFor(
      credentials,
      groupRef,
    );
    return this.deps.costs.groupCost(snapshot, ref, days, allowed);
  }

  /** A page of a group's entities, biggest first. */
  async groupEntities(
    credentials: BackstageCredentials,
    groupRef: string,
    days: number,
    page: PageQuery,
  ) {
    const { ref, snapshot, allowed } = await this.deps.access.groupFor(
      credentials,
      groupRef,
    );
    return this.deps.costs.groupEntities(snapshot, ref, days, allowed, {
      offset: offsetOf(page.cursor),
      limit: page.limit,
    });
  }

  /** Every department and product month by month: finance and the admins. */
  async organisationCost(
    credentials: BackstageCredentials,
    months: number,
  ): Promise<OrganisationCost> {
    this.deps.access.requireCaller(credentials);
    await this.deps.access.requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see the cost of the whole organisation',
    );
    return this.deps.organisation.organisationCost(
      await this.deps.catalog.snapshot(),
      months,
    );
  }

  /**
   * A product's (system's or domain's) cost, for those who may see its
   * owner's cost, with the parts whose owners they may see.
   */
  async productCost(
    credentials: BackstageCredentials,
    productRef: string,
    days: number,
  ): Promise<ProductCost> {
    const lower = productRef.toLowerCase();
    if (!lower.startsWith('system:') && !lower.startsWith('domain:')) {
      throw new InputError(
        `A product is a system or a domain, not ${productRef}`,
      );
    }
    const { ref, entity, snapshot, allowed } = await this.deps.access.entityFor(
      credentials,
      lower,
    );
    const [summary, parts] = await Promise.all([
      this.deps.costs.entityCost(snapshot, ref, days),
      this.deps.costs.productParts(snapshot, ref, days),
    ]);
    const ownerOf = (key: string) => snapshot.entities.get(key)?.ownerRef;
    const visible = parts.filter(p => allowed(ownerOf(p.key) ?? p.key));
    return {
      ...summary,
      kind: entity.kind as 'system' | 'domain',
      ownerRef: entity.ownerRef,
      parts: visible.map(p => ({ ...p, ownerRef: ownerOf(p.key) })),
      hiddenParts: parts.length - visible.length,
    };
  }

  /**
   * The entities whose cost moved most between a period and the one
   * before it: within a group (those the caller may see of it and the
   * groups below it), or the whole organisation (finance and the admins).
   */
  async topMovers(
    credentials: BackstageCredentials,
    scope: MoversScope,
    days: number,
    direction: Direction,
    page: PageQuery,
  ) {
    let refs: string[];
    let snapshot: CostCatalogSnapshot;
    if ('groupRef' in scope) {
      const group = await this.deps.access.groupFor(
        credentials,
        scope.groupRef,
      );
      snapshot = group.snapshot;
      refs = this.deps.costs.groupRefs(snapshot, group.ref, group.allowed);
    } else {
      this.deps.access.requireCaller(credentials);
      await this.deps.access.requireBasic(
        credentials,
        finopsOrganisationReadPermission,
        'see the top movers of the whole organisation; ask for a group of yours',
      );
      snapshot = await this.deps.catalog.snapshot();
      refs = [...snapshot.entities.keys()];
    }
    const moved = await this.deps.costs.movers(
      snapshot,
      refs,
      days,
      direction,
      { offset: offsetOf(page.cursor), limit: page.limit },
    );
    const entities = snapshot.entities;
    return {
      ...moved,
      items: moved.items.map(item => ({
        ...item,
        ownerRef: entities.get(item.key)?.ownerRef,
      })),
    };
  }

  /**
   * The golden path's monthly estimate of a resource type, one size or
   * all of them: the price list everyone may read.
   */
  async resourceEstimate(
    credentials: BackstageCredentials,
    type: string,
    size?: string,
  ): Promise<ResourceEstimate> {
    this.deps.access.requireCaller(
      credentials,
      'finops.read',
      'read the price list',
    );
    let catalogue: SizeCatalogue;
    try {
      catalogue = await this.deps.sizes();
    } catch (error) {
      throw new ServiceUnavailableError(
        `The golden path's price list cannot be read: ${
          (error as Error).message
        }`,
      );
    }
    const sizes = size ? [size] : [...RESOURCE_SIZES];
    const specs = sizes.map(s => ({
      size: s,
      spec: sizeOf(catalogue, type, s),
    }));
    return {
      currency: catalogue.currency,
      type: type as ResourceType,
      title: catalogue.types[type as ResourceType].title,
      sizes: specs.map(({ size: s, spec }) => ({
        size: s,
        description: spec.description,
        monthlyCost: spec.monthlyUsd,
        settings: { ...spec.settings },
      })),
    };
  }
}
