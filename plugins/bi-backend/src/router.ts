import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { biProductReadPermission } from '@portal/plugin-bi-common';
import {
  EntityAuthorization,
  MachineIdentities,
} from '@portal/catalog-ownership';
import { entityRefOf } from '@portal/request-validation';
import express from 'express';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { DashboardCache, listDashboards, matchesSearch } from './entries';
import { ProductEconomicsService } from './metrics/economics';
import { createOpenApiRouter } from './schema/openapi';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  /** The policy's decisions on entity-scoped data, applied per entity. */
  authorization: EntityAuthorization;
  economics: ProductEconomicsService;
  machines: MachineIdentities;
  /** How long the list of dashboards is reused (default one minute). */
  dashboardsTtlMs?: number;
}): Promise<express.Router> {
  // The spec (src/schema/openapi.yaml) checks parameters before the
  // routes: an unknown or out-of-bounds one answers 400 naming it. Who may
  // call is httpAuth's (401) and the routes' (403) to say, not the
  // validator's.
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false },
  });
  const dashboards = new DashboardCache({
    catalog: deps.catalog,
    auth: deps.auth,
    ttlMs: deps.dashboardsTtlMs,
  });

  /**
   * The dashboards these credentials may see. Those allowed to read the
   * whole catalog (the portal's policy allows every signed-in person) get
   * the shared list, read once a minute; those allowed part of it (a
   * conditional decision) get a walk of the catalog with their own
   * credentials, which applies the conditions; the others get none.
   */
  async function visibleDashboards(credentials: BackstageCredentials) {
    const [decision] = await deps.permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return dashboards.get();
    if (decision.result === AuthorizeResult.DENY) return [];
    return listDashboards(deps.catalog, credentials);
  }

  /** A person (the policy decides), or a machine granted bi.read. */
  async function caller(req: Parameters<HttpAuthService['credentials']>[0]) {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    deps.machines.requireGrant(
      deps.machines.classify(credentials),
      'bi.read',
      'read dashboards or product economics',
    );
    return credentials;
  }

  /**
   * The dashboards the caller may see, a page at a time, ordered by domain
   * and system; `search` keeps those whose title, tool, entity, owner,
   * system or domain has every word.
   */
  router.get('/dashboards', async (req, res) => {
    const credentials = await caller(req);
    const search = req.query.search?.trim();
    const limit = req.query.limit ?? 50;
    const all = await visibleDashboards(credentials);
    const found = search
      ? all.filter(entry => matchesSearch(entry, search))
      : all;
    const offset = Number(req.query.cursor ?? 0);
    res.json({
      items: found.slice(offset, offset + limit),
      totalCount: found.length,
      nextCursor:
        offset + limit < found.length ? String(offset + limit) : undefined,
    });
  });

  /**
   * A product's (system's or domain's) cloud cost, business metrics and unit
   * cost by month: product totals, for business, finance and admins.
   */
  router.get('/products/:kind/:namespace/:name/economics', async (req, res) => {
    const credentials = await caller(req);
    // The spec lets only systems and domains (products) through.
    const { kind, namespace, name } = req.params;
    const ref = entityRefOf({ kind, namespace, name });
    const decision = await deps.authorization.decide(
      credentials,
      biProductReadPermission,
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        'Product economics are for business, finance and the portal admins; your teams’ cost is on their Cost tabs',
      );
    }
    // Read as the caller: the catalog's own permissions apply too.
    const product = await deps.catalog.getEntityByRef(ref, { credentials });
    if (!product) throw new NotFoundError(`${ref} is not in the catalog`);
    if (!decision.allows(product)) {
      throw new NotAllowedError(`You may not see the economics of ${ref}`);
    }
    res.json(await deps.economics.economics(ref));
  });

  return router;
}
