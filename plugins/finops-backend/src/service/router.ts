import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  finopsCostReadPermission,
  finopsManagePermission,
  finopsOrganisationReadPermission,
  MyCostSummary,
  SourceStatus,
  TeamCostSummary,
} from '@portal/plugin-finops-common';
import { finopsCostResourceRef } from '@portal/plugin-finops-node';
import {
  MachineGrant,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';
import {
  auditedBodyParser,
  decodeUpload,
  entityRefOf,
  parseRequest,
  PayloadTooLargeError,
} from '@portal/request-validation';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { FinopsStore } from '../database/FinopsStore';
import { CostCatalog } from './CostCatalog';
import { CostImporter } from './CostImporter';
import { CostService, OwnerFilter } from './CostService';
import { FinopsOptions } from './options';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  auditor: AuditorService;
  store: FinopsStore;
  costs: CostService;
  importer: CostImporter;
  catalog: CostCatalog;
  options: FinopsOptions;
  /** Ids of the pulled sources, for the status view. */
  sourceIds: string[];
  machines: MachineIdentities;
  ownership: OwnershipService;
}

const periodQuery = z
  .object({ days: z.coerce.number().int().min(7).max(400).default(30) })
  .strict();

const pagedQuery = z
  .object({
    days: z.coerce.number().int().min(7).max(400).default(30),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, 'cursor must come from a previous page')
      .optional(),
  })
  .strict();

const monthsQuery = z
  .object({ months: z.coerce.number().int().min(1).max(36).default(12) })
  .strict();

const importQuery = z
  .object({
    source: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,63}$/i,
        'source must be a short name for the billing export, such as aws-main',
      ),
  })
  .strict();

const budgetBody = z
  .object({
    monthlyAmount: z
      .number()
      .positive('monthlyAmount must be above 0')
      .max(1e12),
  })
  .strict();

type EntityRequest = Request<{ kind: string; namespace: string; name: string }>;
type GroupRequest = Request<{ namespace: string; name: string }>;

export async function createRouter(
  deps: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    permissions,
    auditor,
    store,
    costs,
    importer,
    options,
    machines,
  } = deps;
  const router = Router();
  // The policy's conditions on cost, applied with FinOps' own rules (the
  // permission framework's condition authorizer, as every plugin of the
  // portal does for the data it owns).
  const appliesTo = createConditionAuthorizer(
    deps.permissionsRegistry.getPermissionRuleset(finopsCostResourceRef),
  );

  /** Who the caller may see cost for, from one decision of the policy. */
  async function ownerFilter(
    credentials: BackstageCredentials,
  ): Promise<OwnerFilter> {
    const [decision] = await permissions.authorizeConditional(
      [{ permission: finopsCostReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return () => true;
    if (decision.result !== AuthorizeResult.CONDITIONAL) return () => false;
    return ownerRef => appliesTo(decision, { ref: ownerRef, ownerRef });
  }

  async function requireBasic(
    credentials: BackstageCredentials,
    permission: typeof finopsOrganisationReadPermission,
    what: string,
  ) {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Only the finance group may ${what}`);
    }
  }

  /**
   * A person (the policy decides what they see), or a machine with the
   * grant for this: a CI token alone reads and imports nothing here.
   */
  async function userOrService(
    req: Request,
    grant: MachineGrant = 'finops.read',
    what = 'read cost',
  ) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    machines.requireGrant(machines.classify(credentials), grant, what);
    return credentials;
  }

  router.get('/status', async (req, res) => {
    await userOrService(req);
    const runs = await store.listImports(200);
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

  router.get(
    '/entities/:kind/:namespace/:name/cost',
    async (req: EntityRequest, res) => {
      const credentials = await userOrService(req);
      const ref = entityRefOf(req.params).toLowerCase();
      const { days } = parseRequest(periodQuery, req.query);
      const snapshot = await deps.catalog.snapshot();
      const entity = snapshot.entities.get(ref);
      if (!entity) {
        throw new NotFoundError(`There is no ${ref} in the catalog`);
      }
      const allowed = await ownerFilter(credentials);
      if (!allowed(entity.ownerRef ?? ref)) {
        throw new NotAllowedError(
          `You may see the cost of what your teams own; ${ref} is owned by ${
            entity.ownerRef ?? 'nobody'
          }`,
        );
      }
      res.json(await costs.entityCost(snapshot, ref, days));
    },
  );

  async function groupAccess(req: GroupRequest) {
    const credentials = await userOrService(req);
    const ref = entityRefOf({ kind: 'group', ...req.params }).toLowerCase();
    const snapshot = await deps.catalog.snapshot();
    if (!snapshot.tree.get(ref)) {
      throw new NotFoundError(`There is no ${ref} in the catalog`);
    }
    const allowed = await ownerFilter(credentials);
    if (!allowed(ref)) {
      throw new NotAllowedError(
        `You may see the cost of the groups you belong to and those below them, not ${ref}`,
      );
    }
    return { ref, snapshot, allowed };
  }

  router.get(
    '/groups/:namespace/:name/cost',
    async (req: GroupRequest, res) => {
      const { days } = parseRequest(periodQuery, req.query);
      const { ref, snapshot, allowed } = await groupAccess(req);
      res.json(await costs.groupCost(snapshot, ref, days, allowed));
    },
  );

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
    const allowed = await ownerFilter(credentials);
    const items: TeamCostSummary[] = [];
    for (const ref of teams) {
      const node = snapshot.tree.get(ref);
      if (!node || !allowed(ref)) continue;
      const cost = await costs.groupCost(snapshot, ref, 30, allowed);
      items.push({
        groupRef: ref,
        title: node.title,
        total: cost.total,
        previousTotal: cost.previousTotal,
        currency: cost.currency,
        budget: cost.budget,
        alerts: cost.alerts.slice(0, 2),
      });
    }
    const summary: MyCostSummary = { items };
    res.json(summary);
  });

  router.get(
    '/groups/:namespace/:name/entities',
    async (req: GroupRequest, res) => {
      const query = parseRequest(pagedQuery, req.query);
      const { ref, snapshot, allowed } = await groupAccess(req);
      res.json(
        await costs.groupEntities(snapshot, ref, query.days, allowed, {
          offset: Number(query.cursor ?? 0),
          limit: query.limit,
        }),
      );
    },
  );

  router.get('/organisation/cost', async (req, res) => {
    const credentials = await userOrService(req);
    const { months } = parseRequest(monthsQuery, req.query);
    await requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see the cost of the whole organisation',
    );
    res.json(
      await costs.organisationCost(await deps.catalog.snapshot(), months),
    );
  });

  router.get('/organisation/allocations', async (req, res) => {
    const credentials = await userOrService(req);
    const { days } = parseRequest(periodQuery, req.query);
    await requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see the allocation of shared costs',
    );
    const { from, to } = await costs.period(days);
    res.json({
      from,
      to,
      items: await costs.allocate(await deps.catalog.snapshot(), from, to),
    });
  });

  router.get('/organisation/recommendations', async (req, res) => {
    const credentials = await userOrService(req);
    await requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see purchase recommendations',
    );
    res.json({ items: await store.listRecommendations() });
  });

  router.get('/organisation/unattributed', async (req, res) => {
    const credentials = await userOrService(req);
    const query = parseRequest(pagedQuery, req.query);
    await requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see unattributed spend',
    );
    const all = await costs.unattributedSpend(
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
      const credentials = await userOrService(
        req,
        'finops.read',
        'export the cost of the organisation',
      );
      ({ months } = parseRequest(monthsQuery, req.query));
      await requireBasic(
        credentials,
        finopsOrganisationReadPermission,
        'export the cost of the organisation',
      );
      await event.success({ meta: { months } });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    const org = await costs.organisationCost(
      await deps.catalog.snapshot(),
      months,
    );
    const cell = (value: string | number) => {
      const text = String(value);
      // Quote, and keep spreadsheets from running a formula.
      const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = [
      ['view', 'ref', 'title', ...org.months].map(cell).join(','),
      ...org.byDepartment.map(s =>
        ['department', s.ref, s.title ?? '', ...s.amounts].map(cell).join(','),
      ),
      ...org.byProduct.map(s =>
        ['product', s.ref, s.title ?? '', ...s.amounts].map(cell).join(','),
      ),
      ['unattributed', '', 'Unattributed spend', ...org.unattributed]
        .map(cell)
        .join(','),
    ];
    res
      .status(200)
      .type('text/csv')
      .setHeader(
        'content-disposition',
        `attachment; filename="cost-by-month-${org.months[0]}-${
          org.months[org.months.length - 1]
        }.csv"`,
      )
      .send(`${lines.join('\n')}\n`);
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
      const { source } = parseRequest(importQuery, req.query);
      const declared = Number(req.header('content-length') ?? 0);
      if (declared > options.maxUploadBytes) {
        res.setHeader('connection', 'close');
        throw new PayloadTooLargeError(
          `The file is larger than ${options.maxUploadBytes} bytes (finops.limits.maxUploadBytes)`,
        );
      }
      await requireBasic(
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

  // A refused body (malformed, too large) is audited before it answers.
  router.use(
    auditedBodyParser<express.Request>(
      express.json({ limit: '10kb' }),
      auditor,
    ),
  );

  router.get('/budgets', async (req, res) => {
    const credentials = await userOrService(req);
    await requireBasic(
      credentials,
      finopsOrganisationReadPermission,
      'see every budget',
    );
    res.json({ items: await store.getBudgets() });
  });

  router.put('/budgets/:namespace/:name', async (req: GroupRequest, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref = entityRefOf({ kind: 'group', ...req.params }).toLowerCase();
    const event = await auditor.createEvent({
      eventId: 'budget-set',
      severityLevel: 'medium',
      request: req,
      meta: { groupRef: ref },
    });
    try {
      await requireBasic(credentials, finopsManagePermission, 'set budgets');
      const body = parseRequest(budgetBody, req.body);
      if (!(await deps.catalog.snapshot()).tree.get(ref)) {
        throw new NotFoundError(`There is no ${ref} in the catalog`);
      }
      const budget = {
        groupRef: ref,
        monthlyAmount: body.monthlyAmount,
        currency: options.currency,
        updatedBy: credentials.principal.userEntityRef,
        updatedAt: new Date(),
      };
      await store.setBudget(budget);
      await event.success({ meta: { monthlyAmount: body.monthlyAmount } });
      res.json(budget);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.delete('/budgets/:namespace/:name', async (req: GroupRequest, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const ref = entityRefOf({ kind: 'group', ...req.params }).toLowerCase();
    const event = await auditor.createEvent({
      eventId: 'budget-delete',
      severityLevel: 'medium',
      request: req,
      meta: { groupRef: ref },
    });
    try {
      await requireBasic(credentials, finopsManagePermission, 'remove budgets');
      if (!(await store.deleteBudget(ref))) {
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
