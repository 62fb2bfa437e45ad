import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  BudgetRequest,
  finopsManagePermission,
  finopsOrganisationReadPermission,
  MyCostSummary,
  SourceStatus,
  TeamCostSummary,
} from '@portal/plugin-finops-common';
import { MachineIdentities, OwnershipService } from '@portal/catalog-ownership';
import {
  decodeUpload,
  entityRefOf,
  PayloadTooLargeError,
} from '@portal/request-validation';
import express from 'express';
import { FinopsStores } from '../database/types';
import { CostCatalog } from '../service/CostCatalog';
import { organisationCsv } from '../service/costCsv';
import { CostImporter } from '../service/CostImporter';
import { CostService } from '../service/CostService';
import { FinopsReader } from '../service/FinopsReader';
import { OrganisationCostService } from '../service/OrganisationCostService';
import { FinopsOptions } from '../service/options';
import { FinopsAccess } from './access';
import { createValidatedRouter } from './validatedRouter';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  /** Who may call what. */
  access: FinopsAccess;
  /** The cost views, checked; what the actions answer too. */
  reader: FinopsReader;
  stores: FinopsStores;
  costs: CostService;
  organisation: OrganisationCostService;
  importer: CostImporter;
  catalog: CostCatalog;
  options: FinopsOptions;
  /** Ids of the pulled sources, for the status view. */
  sourceIds: string[];
  machines: MachineIdentities;
  ownership: OwnershipService;
}

/** A group route's group, by its namespace and name. */
const groupRefOf = (req: { params: { namespace: string; name: string } }) =>
  entityRefOf({ kind: 'group', ...req.params });

/** The defaults of the spec's query parameters. */
const DAYS = 30;
const MONTHS = 12;
const LIMIT = 50;

export async function createRouter(
  deps: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, stores, costs, organisation, importer, options } =
    deps;
  const { machines, access, reader } = deps;
  // The spec (src/schema/openapi.yaml) checks queries and bodies first.
  const router = await createValidatedRouter(auditor);

  router.get('/status', async (req, res) => {
    await access.userOrService(req);
    const runs = await stores.imports.listImports(200);
    const sources = new Set([...deps.sourceIds, ...runs.map(r => r.source)]);
    const status: SourceStatus[] = [...sources].sort().map(source => {
      const ofSource = runs.filter(r => r.source === source);
      const lastSuccess = ofSource.find(r => r.status === 'succeeded');
      const newest = ofSource[0];
      return {
        source,
        lastSuccess,
        lastFailure: newest?.status === 'failed' ? newest : undefined,
      };
    });
    res.json({ sources: status, demo: options.demo });
  });

  router.get('/entities/:kind/:namespace/:name/cost', async (req, res) => {
    const credentials = await access.userOrService(req);
    const days = req.query.days ?? DAYS;
    res.json(
      await reader.entityCost(credentials, entityRefOf(req.params), days),
    );
  });

  /** Many entities' attributed spend (a scorecard's batch); a read, so not audited. */
  router.post('/entities/attributed-cost', async (req, res) => {
    const credentials = await access.userOrService(req);
    res.json(
      await reader.attributedCost(
        credentials,
        req.body.entityRefs,
        req.query.days ?? DAYS,
      ),
    );
  });

  router.get('/groups/:namespace/:name/cost', async (req, res) => {
    const credentials = await access.userOrService(req);
    const days = req.query.days ?? DAYS;
    res.json(await reader.groupCost(credentials, groupRefOf(req), days));
  });

  /**
   * The home page's widget, in one call: the last 30 days of each team the
   * signed-in person is in (those the policy lets them see), with budget and
   * the latest alerts.
   */
  router.get('/me/summary', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const teams = await deps.ownership.groupsOf(
      credentials.principal.userEntityRef,
    );
    const snapshot = await deps.catalog.snapshot();
    const allowed = await access.ownerFilter(credentials);
    const items: TeamCostSummary[] = await Promise.all(
      teams
        .filter(ref => snapshot.tree.get(ref) && allowed(ref))
        .map(async ref => {
          const cost = await costs.teamSummary(snapshot, ref, 30, allowed);
          return {
            groupRef: ref,
            title: snapshot.tree.get(ref)!.title,
            ...cost,
            alerts: cost.alerts.slice(0, 2),
          };
        }),
    );
    const summary: MyCostSummary = { items };
    res.json(summary);
  });

  router.get('/groups/:namespace/:name/entities', async (req, res) => {
    const query = {
      days: req.query.days ?? DAYS,
      limit: req.query.limit ?? LIMIT,
      cursor: req.query.cursor,
    };
    const credentials = await access.userOrService(req);
    res.json(
      await reader.groupEntities(credentials, groupRefOf(req), query.days, {
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
  });

  router.get('/organisation/cost', async (req, res) => {
    const credentials = await access.userOrService(req);
    const months = req.query.months ?? MONTHS;
    res.json(await reader.organisationCost(credentials, months));
  });

  router.get('/organisation/allocations', async (req, res) => {
    const credentials = await access.userOrService(req);
    const days = req.query.days ?? DAYS;
    await access.requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see the allocation of shared costs',
    );
    res.json(
      await organisation.allocations(await deps.catalog.snapshot(), days),
    );
  });

  router.get('/organisation/recommendations', async (req, res) => {
    const credentials = await access.userOrService(req);
    await access.requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see purchase recommendations',
    );
    res.json({ items: await stores.recommendations.listRecommendations() });
  });

  router.get('/organisation/unattributed', async (req, res) => {
    const credentials = await access.userOrService(req);
    const query = {
      days: req.query.days ?? DAYS,
      limit: req.query.limit ?? LIMIT,
      cursor: req.query.cursor,
    };
    await access.requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see unattributed spend',
    );
    const all = await organisation.unattributedSpend(
      await deps.catalog.snapshot(),
      query.days,
    );
    const offset = Number(query.cursor ?? 0);
    res.json({
      items: all.slice(offset, offset + query.limit),
      totalCount: all.length,
      total: Math.round(all.reduce((t, r) => t + r.amount, 0) * 100) / 100,
      nextCursor:
        offset + query.limit < all.length
          ? String(offset + query.limit)
          : undefined,
    });
  });

  router.get('/organisation/export.csv', async (req, res) => {
    const event = await auditor.createEvent({
      eventId: 'cost-export',
      severityLevel: 'medium',
      request: req,
    });
    let months: number;
    try {
      const credentials = await access.userOrService(
        req,
        'finops.read',
        'export the cost of the organisation',
      );
      months = req.query.months ?? MONTHS;
      await access.requireBasic(
        credentials,
        finopsOrganisationReadPermission,
        'export the cost of the organisation',
      );
      await event.success({ meta: { months } });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    const org = await organisation.organisationCost(
      await deps.catalog.snapshot(),
      months,
    );
    res
      .status(200)
      .type('text/csv')
      .setHeader(
        'content-disposition',
        `attachment; filename="cost-by-month-${org.months[0]}-${
          org.months[org.months.length - 1]
        }.csv"`,
      )
      .send(organisationCsv(org));
  });

  router.post('/imports/focus', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const event = await auditor.createEvent({
      eventId: 'focus-import',
      severityLevel: 'medium',
      request: req,
      meta: { source: String(req.query.source ?? '') },
    });
    try {
      const caller = machines.classify(credentials);
      machines.requireGrant(caller, 'finops.import', 'import billing data');
      const { source } = req.query;
      const declared = Number(req.header('content-length') ?? 0);
      if (declared > options.maxUploadBytes) {
        res.setHeader('connection', 'close');
        throw new PayloadTooLargeError(
          `The file is larger than ${options.maxUploadBytes} bytes (finops.limits.maxUploadBytes)`,
        );
      }
      await access.requireBasic(
        credentials,
        finopsManagePermission,
        'import billing data',
      );
      const upload = decodeUpload(req, req.header('content-encoding'), {
        maxSentBytes: options.maxUploadBytes,
        maxDecodedBytes: options.maxUploadBytes,
        what: 'file',
        sentLimitKey: 'finops.limits.maxUploadBytes',
        decodedLimitKey: 'finops.limits.maxUploadBytes',
      });
      const run = await importer.importFocus({
        source: `focus:${source}`,
        input: upload.stream,
        requestedBy: caller.principal,
      });
      await event.success({ meta: { rows: run.rowsStored } });
      res.status(201).json(run);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/budgets', async (req, res) => {
    const credentials = await access.userOrService(req);
    await access.requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see every budget',
    );
    const budgets = await stores.budgets.getBudgets();
    res.json({
      items: budgets.map(b => ({ ...b, updatedAt: b.updatedAt.toISOString() })),
    });
  });

  router.put('/budgets/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref = entityRefOf({ kind: 'group', ...req.params }).toLowerCase();
    const event = await auditor.createEvent({
      eventId: 'budget-set',
      severityLevel: 'medium',
      request: req,
      meta: { groupRef: ref },
    });
    try {
      await access.requireBasic(
        credentials,
        finopsManagePermission,
        'set budgets',
      );
      // The spec checked it; its type is the model's, as the router's typing
      // does not read OpenAPI 3.0's boolean exclusiveMinimum.
      const body = req.body as unknown as BudgetRequest;
      if (!(await deps.catalog.snapshot(ref)).tree.get(ref)) {
        throw new NotFoundError(`There is no ${ref} in the catalog`);
      }
      const budget = {
        groupRef: ref,
        monthlyAmount: body.monthlyAmount,
        currency: options.currency,
        updatedBy: credentials.principal.userEntityRef,
        updatedAt: new Date(),
      };
      await stores.budgets.setBudget(budget);
      await event.success({ meta: { monthlyAmount: body.monthlyAmount } });
      res.json({ ...budget, updatedAt: budget.updatedAt.toISOString() });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.delete('/budgets/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref = entityRefOf({ kind: 'group', ...req.params }).toLowerCase();
    const event = await auditor.createEvent({
      eventId: 'budget-delete',
      severityLevel: 'medium',
      request: req,
      meta: { groupRef: ref },
    });
    try {
      await access.requireBasic(
        credentials,
        finopsManagePermission,
        'remove budgets',
      );
      if (!(await stores.budgets.deleteBudget(ref))) {
        throw new NotFoundError(`${ref} has no budget`);
      }
      await event.success();
      res.status(204).end();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
