/*
 * The contract: src/schema/openapi.yaml and the router agree. Every route
 * the router serves is an operation of the spec and every operation is
 * served; real responses of the plugin (started as in plugin.test.ts, with
 * a billing export imported, so the views carry values), one for each
 * status the spec documents, validate against the spec's schema for that
 * status; and the generated code (the spec as TypeScript here, the client
 * and models in @portal/plugin-finops-common) is what `yarn
 * generate:openapi` makes of the spec today.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { MachineIdentities, OwnershipService } from '@portal/catalog-ownership';
import {
  describeGeneratedCode,
  expectServesSpec,
  openApiContract,
} from '@portal/test-utils/openapi';
import request from 'supertest';
import {
  BEN,
  billingExport,
  importExport,
  PRIYA,
  start,
} from '../__testUtils__/backend';
import { FinopsAccess } from '../api/access';
import { createRouter, RouterOptions } from '../api/router';
import { FinopsStores } from '../database/types';
import { CostCatalog } from '../service/CostCatalog';
import { CostImporter } from '../service/CostImporter';
import { CostService } from '../service/CostService';
import { FinopsReader } from '../service/FinopsReader';
import { FinopsOptions } from '../service/options';
import { OrganisationCostService } from '../service/OrganisationCostService';
import { spec } from './openapi';

/** A router with every option (none is called while it is built). */
function routerOptions(): RouterOptions {
  return {
    httpAuth: mockServices.httpAuth(),
    auditor: mockServices.auditor.mock(),
    access: {} as FinopsAccess,
    reader: {} as FinopsReader,
    stores: {} as FinopsStores,
    costs: {} as CostService,
    organisation: {} as OrganisationCostService,
    importer: {} as CostImporter,
    catalog: {} as CostCatalog,
    options: {} as FinopsOptions,
    sourceIds: [],
    machines: MachineIdentities.fromConfig(new ConfigReader({})),
    ownership: {} as OwnershipService,
  };
}

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    expectServesSpec(await createRouter(routerOptions()), spec);
  });

  describe('answers what the spec says', () => {
    const contract = openApiContract(spec, '/api/finops');
    const NONE = mockCredentials.none.header();
    /** A service token granted nothing (no finops.read or finops.import). */
    const UNGRANTED = mockCredentials.service.header();

    it('on every route, with values', async () => {
      const server = await start({ limits: { maxUploadBytes: 200_000 } });
      const call = (
        method: 'get' | 'put' | 'delete',
        url: string,
        authorization?: string,
        body?: object,
      ) => {
        let req = request(server)[method](`/api/finops${url}`);
        if (authorization) req = req.set('authorization', authorization);
        return contract.send(body ? req.send(body) : req);
      };
      const get = (url: string, who = PRIYA) => call('get', url, who);

      const imported = await contract.send(
        importExport(server, billingExport()),
      );
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({
        source: 'focus:aws-main',
        requestedBy: 'user:default/priya-sharma',
      });

      const entity = '/entities/component/default/payments-api';
      const group = '/groups/default/team-checkout';
      const readRoutes = [
        '/status',
        `${entity}/cost`,
        `${group}/cost`,
        `${group}/entities`,
        '/organisation/cost',
        '/organisation/allocations',
        '/organisation/recommendations',
        '/organisation/unattributed',
        '/organisation/export.csv',
        '/budgets',
      ];
      for (const url of readRoutes) {
        expect((await get(url)).status).toBe(200);
        // An unknown parameter, no credentials, a machine without the grant.
        expect((await get(`${url}?sort=x`)).status).toBe(400);
        expect((await get(url, NONE)).status).toBe(401);
        expect((await get(url, UNGRANTED)).status).toBe(403);
      }
      expect((await get(`${entity}/cost`)).body.total).toBeGreaterThan(0);
      expect((await get(`${group}/entities?limit=1`)).body).toMatchObject({
        totalCount: 3,
        nextCursor: '1',
      });
      expect((await get('/organisation/unattributed')).body.total).toBe(150);
      expect((await get(`${group}/cost?days=6`)).status).toBe(400);
      expect((await get(`${group}/entities?cursor=x`)).status).toBe(400);
      expect((await get('/organisation/cost?months=37')).status).toBe(400);
      expect((await get('/entities/component/default/ghost/cost')).status).toBe(
        404,
      );
      for (const url of ['cost', 'entities']) {
        expect((await get(`/groups/default/ghosts/${url}`)).status).toBe(404);
      }

      // Many entities' attributed spend at once, and what it refuses.
      const attributed = (body: object, who?: string, query = '') => {
        let req = request(server).post(
          `/api/finops/entities/attributed-cost${query}`,
        );
        if (who) req = req.set('authorization', who);
        return contract.send(req.send(body));
      };
      const refs = {
        entityRefs: [
          'component:default/payments-api',
          'component:default/catalog-service',
          'component:default/ghost',
        ],
      };
      const all = await attributed(refs, PRIYA);
      expect(all.status).toBe(200);
      expect(all.body).toEqual({
        tagKey: 'portal-entity-ref',
        currency: 'USD',
        from: '2026-10-02',
        to: '2026-10-31',
        items: [
          { entityRef: 'component:default/payments-api', amount: 300 },
          { entityRef: 'component:default/catalog-service', amount: 150 },
        ],
        hidden: 1,
      });
      // A developer: their team's, the other team's counted, not named.
      expect((await attributed(refs, BEN, '?days=7')).body).toMatchObject({
        from: '2026-10-25',
        items: [{ entityRef: 'component:default/payments-api', amount: 70 }],
        hidden: 2,
      });
      expect((await attributed({ entityRefs: [] }, PRIYA)).status).toBe(400);
      expect((await attributed(refs, PRIYA, '?days=3')).status).toBe(400);
      expect(
        (
          await attributed(
            { entityRefs: Array(501).fill('component:default/x') },
            PRIYA,
          )
        ).status,
      ).toBe(400);
      expect((await attributed(refs, NONE)).status).toBe(401);
      expect((await attributed(refs, UNGRANTED)).status).toBe(403);
      // 500 refs of 300 characters fit the batch's body limit; more do not.
      const long = (i: number) =>
        `component:default/${String(i).padStart(282, 'x')}`;
      const most = await attributed(
        { entityRefs: Array.from({ length: 500 }, (_, i) => long(i)) },
        PRIYA,
      );
      expect(most.body).toMatchObject({ items: [], hidden: 500 });
      const huge = await contract.send(
        request(server)
          .post('/api/finops/entities/attributed-cost')
          .set('authorization', PRIYA)
          .set('content-type', 'application/json')
          .send(JSON.stringify({ entityRefs: ['x'.repeat(300_000)] })),
      );
      expect(huge.status).toBe(413);

      const summary = await get('/me/summary', BEN);
      expect(summary.body.items).toEqual([
        expect.objectContaining({ groupRef: 'group:default/team-checkout' }),
      ]);
      expect((await get('/me/summary?x=1', BEN)).status).toBe(400);
      expect((await get('/me/summary', NONE)).status).toBe(401);
      expect((await get('/me/summary', UNGRANTED)).status).toBe(403);

      // The upload: a bad source, a file that is not FOCUS, no credentials,
      // a developer, a file above finops.limits.maxUploadBytes.
      const upload = (body: string, who = PRIYA, source = 'aws-main') =>
        contract.send(
          request(server)
            .post('/api/finops/imports/focus')
            .query({ source })
            .set('authorization', who)
            .set('content-type', 'text/csv')
            .send(body),
        );
      expect((await upload(billingExport(), PRIYA, '../etc')).status).toBe(400);
      expect((await upload('a,b\n1,2\n')).status).toBe(400);
      expect((await upload(billingExport(), NONE)).status).toBe(401);
      expect((await upload(billingExport(), BEN)).status).toBe(403);
      expect((await upload('x'.repeat(300_000))).status).toBe(413);

      // Budgets: set, refused, removed.
      const budget = `/budgets${group.slice('/groups'.length)}`;
      const set = await call('put', budget, PRIYA, { monthlyAmount: 1000 });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ monthlyAmount: 1000, currency: 'USD' });
      expect((await get('/budgets')).body.items).toHaveLength(1);
      expect(
        (await call('put', budget, PRIYA, { monthlyAmount: -5 })).status,
      ).toBe(400);
      expect(
        (await call('put', budget, NONE, { monthlyAmount: 1 })).status,
      ).toBe(401);
      expect(
        (await call('put', budget, BEN, { monthlyAmount: 1 })).status,
      ).toBe(403);
      expect(
        (
          await call('put', '/budgets/default/ghosts', PRIYA, {
            monthlyAmount: 1,
          })
        ).status,
      ).toBe(404);
      const big = await contract.send(
        request(server)
          .put(`/api/finops${budget}`)
          .set('authorization', PRIYA)
          .set('content-type', 'application/json')
          .send(JSON.stringify({ monthlyAmount: 1, x: 'x'.repeat(20_000) })),
      );
      expect(big.status).toBe(413);
      expect((await call('delete', `${budget}?x=1`, PRIYA)).status).toBe(400);
      expect((await call('delete', budget, NONE)).status).toBe(401);
      expect((await call('delete', budget, BEN)).status).toBe(403);
      expect((await call('delete', budget, PRIYA)).status).toBe(204);
      expect((await call('delete', budget, PRIYA)).status).toBe(404);
    }, 120_000);

    it('for every status the spec documents but 500', () => {
      contract.expectEveryStatusChecked();
    });
  });
});

describeGeneratedCode('plugins/finops-backend', 'plugins/finops-common');
