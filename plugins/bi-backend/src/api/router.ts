import { HttpAuthService } from '@backstage/backend-plugin-api';
import { entityRefOf } from '@portal/request-validation';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi';
import { BiService } from '../service/BiService';

/**
 * The BI routes: each reads the caller, calls BiService (which applies the
 * permission decisions) and answers.
 */
export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  /** What the routes answer, with the permission decisions applied. */
  bi: BiService;
}): Promise<express.Router> {
  // The spec (src/schema/openapi.yaml) checks parameters before the
  // routes: an unknown or out-of-bounds one answers 400 naming it. Who may
  // call is httpAuth's (401) and the service's (403) to say, not the
  // validator's.
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false },
  });
  const { bi } = deps;
  const caller = (req: Parameters<HttpAuthService['credentials']>[0]) =>
    deps.httpAuth.credentials(req, { allow: ['user', 'service'] });

  /**
   * The dashboards the caller may see, a page at a time, ordered by domain
   * and system; `search` keeps those whose title, tool, entity, owner,
   * system or domain has every word.
   */
  router.get('/dashboards', async (req, res) => {
    const credentials = await caller(req);
    res.json(
      await bi.dashboards(credentials, {
        search: req.query.search,
        cursor: req.query.cursor,
        limit: req.query.limit ?? 50,
      }),
    );
  });

  /**
   * A product's (system's or domain's) cloud cost, business metrics and unit
   * cost by month: product totals, for business, finance and admins.
   */
  router.get('/products/:kind/:namespace/:name/economics', async (req, res) => {
    const credentials = await caller(req);
    // The spec lets only systems and domains (products) through.
    const { kind, namespace, name } = req.params;
    res.json(
      await bi.productEconomics(
        credentials,
        entityRefOf({ kind, namespace, name }),
      ),
    );
  });

  return router;
}
