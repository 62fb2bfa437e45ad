import {
  AuditorService,
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityAuthorization,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';
import {
  sreManagePermission,
  SreSourceStatus,
} from '@portal/plugin-sre-common';
import { createValidatedRouter, entityRefOf } from '@portal/request-validation';
import express from 'express';
import { SreStore } from '../database/SreStore';
import { createOpenApiRouter } from '../schema/openapi';
import { alertsOf } from '../service/alertmanager';
import { LinkTemplate } from '../service/observability';
import { SloDefinitions } from '../service/SloDefinitions';
import { SloEvaluator } from '../service/SloEvaluator';
import { ReliabilityService } from '../service/ReliabilityService';

/** A request, as httpAuth and the auditor read it. */
type Req = Parameters<HttpAuthService['credentials']>[0];

export interface RouterOptions {
  machines: MachineIdentities;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** The policy's decisions on entity-scoped data, applied per entity. */
  authorization: EntityAuthorization;
  auth: AuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  hierarchy: OwnershipService;
  store: SreStore;
  definitions: SloDefinitions;
  evaluator: SloEvaluator;
  linkTemplates: LinkTemplate[];
  /** Whether DORA measures are computed (sre.delivery). */
  deliveryConfigured?: boolean;
  entityLabels: string[];
  status: () => SreSourceStatus;
  /** What the read routes answer (built from these options if absent). */
  reliability?: ReliabilityService;
}

export async function createRouter(o: RouterOptions): Promise<express.Router> {
  // Bodies (Alertmanager's webhook) are parsed up to 1 MiB; a refused one
  // is audited and answered (413, 400) as it is. The spec
  // (src/schema/openapi.yaml) checks parameters and Alertmanager's body
  // before the routes: an unknown or out-of-bounds one answers 400 naming
  // it, and its refusals of a webhook are audited as alertmanager-webhook
  // failures, as the route's own refusals are.
  const router = await createValidatedRouter({
    createOpenApiRouter,
    auditor: o.auditor,
    bodyParser: express.json({ limit: '1mb' }),
    auditedRoutes: [
      {
        method: 'POST',
        path: /^\/alertmanager$/,
        eventId: 'alertmanager-webhook',
        severityLevel: 'low',
      },
    ],
  });

  const reliability = o.reliability ?? new ReliabilityService(o);
  /** A person, or a service (the service decides what a machine may read). */
  const caller = (req: Req) =>
    o.httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** Evaluating by hand is for people (admins), never for machines. */
  async function manager(req: Req) {
    const credentials = await o.httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await o.permissions.authorize(
      [{ permission: sreManagePermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'Only the portal admins may run SLO evaluations by hand',
      );
    }
  }

  const groupRefOf = (params: { namespace: string; name: string }) =>
    entityRefOf({ kind: 'group', ...params });

  /** Where the SLI data comes from, the last evaluation, and unreadable SLO files. */
  router.get('/status', async (req, res) => {
    res.json(await reliability.status(await caller(req)));
  });

  router.get('/entities/:kind/:namespace/:name/slos', async (req, res) => {
    res.json(
      await reliability.entitySlos(
        await caller(req),
        entityRefOf(req.params),
        req.query,
      ),
    );
  });

  /** Dashboards, logs and traces of the entity (annotations, then config). */
  router.get(
    '/entities/:kind/:namespace/:name/observability',
    async (req, res) => {
      res.json(
        await reliability.observability(
          await caller(req),
          entityRefOf(req.params),
        ),
      );
    },
  );

  /** The entity's DORA measures (from GitHub, on a schedule). */
  router.get('/entities/:kind/:namespace/:name/delivery', async (req, res) => {
    res.json(
      await reliability.entityDelivery(
        await caller(req),
        entityRefOf(req.params),
      ),
    );
  });

  router.get('/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    res.json(
      await reliability.entityAlerts(
        await caller(req),
        entityRefOf(req.params),
        req.query,
      ),
    );
  });

  // The spec lets only SLO ids (64 hex digits) and 1 to 35 days through.
  router.get('/slos/:id/history', async (req, res) => {
    res.json(
      await reliability.history(
        await caller(req),
        req.params.id,
        req.query.days ?? 7,
      ),
    );
  });

  /**
   * The home page's widget, in one call: the SLOs of what the signed-in
   * person's teams own, worst first.
   */
  router.get('/me/summary', async (req, res) => {
    res.json(await reliability.mySummary(await caller(req)));
  });

  /** Many entities' SLOs in brief (a scorecard's batch); a read, so not audited. */
  router.post('/slos/by-entity', async (req, res) => {
    res.json(
      await reliability.sloBriefs(await caller(req), req.body.entityRefs),
    );
  });

  router.get('/groups/:namespace/:name/slos', async (req, res) => {
    res.json(
      await reliability.groupSlos(
        await caller(req),
        groupRefOf(req.params),
        req.query,
      ),
    );
  });

  /** The team's delivery: each entity's measures and the team's together. */
  router.get('/groups/:namespace/:name/delivery', async (req, res) => {
    res.json(
      await reliability.groupDelivery(
        await caller(req),
        groupRefOf(req.params),
      ),
    );
  });

  router.get('/groups/:namespace/:name/alerts', async (req, res) => {
    res.json(
      await reliability.groupAlerts(
        await caller(req),
        groupRefOf(req.params),
        req.query,
      ),
    );
  });

  /**
   * Alertmanager's webhook receiver. Alertmanager authenticates as a service
   * (a static token of backend.auth.externalAccess as its bearer token);
   * people cannot post alerts. Sending the same alerts again changes nothing
   * but their status. The spec has checked the payload's shape and bounds.
   */
  router.post('/alertmanager', async (req, res) => {
    await o.httpAuth.credentials(req, { allow: ['service'] });
    const auditorEvent = await o.auditor.createEvent({
      eventId: 'alertmanager-webhook',
      severityLevel: 'low',
      request: req,
    });
    try {
      // Only a machine granted sre.alerts (Alertmanager) posts alerts: a
      // CI token or any other service token may not.
      o.machines.requireGrant(
        o.machines.classify(await o.httpAuth.credentials(req)),
        'sre.alerts',
        'post alerts',
      );
      const payload = req.body;
      const { alerts, unmatched } = alertsOf(payload, o.entityLabels);
      const credentials = await o.httpAuth.credentials(req);
      const known = await o.catalog.getEntitiesByRefs(
        {
          entityRefs: [...new Set(alerts.map(a => a.entityRef))],
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      const inCatalog = new Set(
        known.items.filter(Boolean).map(e => stringifyEntityRef(e!)),
      );
      const kept = alerts.filter(a => inCatalog.has(a.entityRef));
      const notInCatalog = alerts
        .filter(a => !inCatalog.has(a.entityRef))
        .map(a => a.entityRef);
      const created = await o.store.upsertAlerts(kept, new Date());
      const result = {
        received: payload.alerts.length,
        created,
        updated: kept.length - created,
        unmatched: unmatched.length,
        unknownEntities: [...new Set(notInCatalog)],
      };
      await auditorEvent.success({
        meta: { receiver: payload.receiver, ...result },
      });
      res.status(202).json(result);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  /** Reads the SLO definitions and evaluates them now (admins). */
  router.post('/evaluate', async (req, res) => {
    await manager(req);
    const auditorEvent = await o.auditor.createEvent({
      eventId: 'slo-evaluate',
      severityLevel: 'low',
      request: req,
    });
    try {
      const synced = await o.definitions.sync();
      const run = await o.evaluator.evaluateAll();
      await auditorEvent.success({ meta: { ...synced, ...run } });
      res.json({ ...synced, ...run });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
