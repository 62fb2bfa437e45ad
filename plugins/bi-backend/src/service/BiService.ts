import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityAuthorization,
  MachineIdentities,
} from '@portal/catalog-ownership';
import {
  biProductReadPermission,
  DashboardPage,
  ProductEconomics,
} from '@portal/plugin-bi-common';
import { listDashboards } from '@portal/plugin-bi-node';
import { DashboardCache, matchesSearch } from '../entries';
import { ProductEconomicsService } from '../metrics/economics';

/** Which dashboards to list: a search and one page of the result. */
export interface DashboardQuery {
  /** Keeps entries whose title, tool, entity, owner, system or domain has every word. */
  search?: string;
  /** Where the page starts: a previous page's nextCursor. */
  cursor?: string;
  limit: number;
}

/**
 * What the BI plugin answers, for whoever asks: its routes, and the actions
 * that assistants call through MCP. Every method takes the caller's
 * credentials and applies the same checks, so that an answer through an
 * action is never wider than the page.
 */
export class BiService {
  private readonly dashboardCache: DashboardCache;

  constructor(
    private readonly deps: {
      auth: AuthService;
      catalog: CatalogService;
      permissions: PermissionsService;
      /** The policy's decisions on entity-scoped data, applied per entity. */
      authorization: EntityAuthorization;
      economics: ProductEconomicsService;
      machines: MachineIdentities;
      /** How long the list of dashboards is reused (default one minute). */
      dashboardsTtlMs?: number;
    },
  ) {
    this.dashboardCache = new DashboardCache({
      catalog: deps.catalog,
      auth: deps.auth,
      ttlMs: deps.dashboardsTtlMs,
    });
  }

  /** A person (the policy decides what they see), or a machine granted bi.read. */
  private checkCaller(credentials: BackstageCredentials, what: string) {
    this.deps.machines.requireGrant(
      this.deps.machines.classify(credentials),
      'bi.read',
      what,
    );
  }

  /**
   * The dashboards these credentials may see. Those allowed to read the
   * whole catalog (the portal's policy allows every signed-in person) get
   * the shared list, read once a minute; those allowed part of it (a
   * conditional decision) get a walk of the catalog with their own
   * credentials, which applies the conditions; the others get none.
   */
  private async visibleDashboards(credentials: BackstageCredentials) {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) {
      return this.dashboardCache.get();
    }
    if (decision.result === AuthorizeResult.DENY) return [];
    return listDashboards(this.deps.catalog, credentials);
  }

  /** The dashboards the caller may see, a page at a time, by domain and system. */
  async dashboards(
    credentials: BackstageCredentials,
    query: DashboardQuery,
  ): Promise<DashboardPage> {
    this.checkCaller(credentials, 'read dashboards or product economics');
    const search = query.search?.trim();
    const all = await this.visibleDashboards(credentials);
    const found = search
      ? all.filter(entry => matchesSearch(entry, search))
      : all;
    const offset = Number(query.cursor ?? 0);
    const end = offset + query.limit;
    return {
      items: found.slice(offset, end),
      totalCount: found.length,
      nextCursor: end < found.length ? String(end) : undefined,
    };
  }

  /**
   * A product's (system's or domain's) cloud cost, business metrics and
   * unit cost by month: product totals, for business, finance and admins.
   * The product is read as the caller, so the catalog's permissions apply
   * too.
   */
  async productEconomics(
    credentials: BackstageCredentials,
    productRef: string,
  ): Promise<ProductEconomics> {
    this.checkCaller(credentials, 'read dashboards or product economics');
    const decision = await this.deps.authorization.decide(
      credentials,
      biProductReadPermission,
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        'Product economics are for business, finance and the portal admins; your teams’ cost is on their Cost tabs',
      );
    }
    const product = await this.deps.catalog.getEntityByRef(productRef, {
      credentials,
    });
    if (!product)
      throw new NotFoundError(`${productRef} is not in the catalog`);
    if (!decision.allows(product)) {
      throw new NotAllowedError(
        `You may not see the economics of ${productRef}`,
      );
    }
    return this.deps.economics.economics(productRef);
  }
}
