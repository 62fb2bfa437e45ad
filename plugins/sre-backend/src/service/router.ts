import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  MachineIdentities,
  OwnershipService,
  refsOf,
} from '@portal/catalog-ownership';
import {
  sreManagePermission,
  sreReliabilityReadPermission,
  SreSourceStatus,
} from '@portal/plugin-sre-common';
import {
  auditedBodyParser,
  entityRefOf,
  parseRequest,
} from '@portal/request-validation';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { SreStore } from '../database/SreStore';
import { teamDelivery } from '../delivery/dora';
import { DemoExporter } from '../demo/DemoExporter';
import { alertmanagerPayload, alertsOf } from './alertmanager';
import { LinkTemplate, observabilityLinks } from './observability';
import { SloDefinitions } from './SloDefinitions';
import { SloEvaluator } from './SloEvaluator';

const page = z
  .object({
    cursor: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
const alertsPage = page
  .extend({ status: z.enum(['firing', 'resolved']).optional() })
  .strict();
const historyQuery = z
  .object({ days: z.coerce.number().int().min(1).max(35).default(7) })
  .strict();

export interface RouterOptions {
  machines: MachineIdentities;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  hierarchy: OwnershipService;
  store: SreStore;
  definitions: SloDefinitions;
  evaluator: SloEvaluator;
  linkTemplates: LinkTemplate[];
  /** Whether DORA measures are computed (sre.delivery). */
  deliveryConfigured?: boolean;
  /** The embedded default's live demo traffic, scraped by its Prometheus. */
  exporter?: DemoExporter;
  entityLabels: string[];
  status: () => SreSourceStatus;
}

export async function createRouter(o: RouterOptions): Promise<express.Router> {
  const router = Router();

  async function caller(
    req: express.Request,
    permission: BasicPermission = sreReliabilityReadPermission,
  ) {
    const credentials = await o.httpAuth.credentials(req, {
      // Evaluating by hand is for people (admins), never for machines.
      allow:
        permission === sreManagePermission ? ['user'] : ['user', 'service'],
    });
    o.machines.requireGrant(
      o.machines.classify(credentials),
      'sre.read',
      'read reliability data',
    );
    const [decision] = await o.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        permission === sreManagePermission
          ? 'Only the portal admins may run SLO evaluations by hand'
          : 'You may not see reliability data',
      );
    }
    return credentials;
  }

  async function requireEntity(ref: string, credentials: BackstageCredentials) {
    const entity = await o.catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`${ref} is not in the catalog`);
    return entity;
  }

  if (o.exporter) {
    router.get('/demo/metrics', (_req, res) => {
      res.type('text/plain; version=0.0.4').send(o.exporter!.render());
    });
  }

  /** Where the SLI data comes from, the last evaluation, and unreadable SLO files. */
  router.get('/status', async (req, res) => {
    await caller(req);
    res.json({ ...o.status(), problems: o.definitions.currentProblems() });
  });

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/slos`, async (req, res) => {
    const credentials = await caller(req);
    const ref = entityRefOf(req.params);
    const query = parseRequest(page, req.query);
    await requireEntity(ref, credentials);
    res.json({
      ...(await o.store.listSlos([ref], query)),
      problems: o.definitions
        .currentProblems()
        .filter(p => p.entityRef === ref),
    });
  });

  /** Dashboards, logs and traces of the entity (annotations, then config). */
  router.get(`${entityPath}/observability`, async (req, res) => {
    const credentials = await caller(req);
    const entity = await requireEntity(entityRefOf(req.params), credentials);
    res.json({
      configured: o.linkTemplates.length > 0,
      links: observabilityLinks(entity, o.linkTemplates),
    });
  });

  /** The entity's DORA measures (from GitHub, on a schedule). */
  router.get(`${entityPath}/delivery`, async (req, res) => {
    const credentials = await caller(req);
    const ref = entityRefOf(req.params);
    await requireEntity(ref, credentials);
    const [metrics] = await o.store.delivery([ref]);
    res.json({ configured: !!o.deliveryConfigured, metrics });
  });

  router.get(`${entityPath}/alerts`, async (req, res) => {
    const credentials = await caller(req);
    const ref = entityRefOf(req.params);
    const query = parseRequest(alertsPage, req.query);
    await requireEntity(ref, credentials);
    res.json(await o.store.listAlerts([ref], query));
  });

  router.get('/slos/:id/history', async (req, res) => {
    await caller(req);
    if (!/^[0-9a-f]{64}$/.test(req.params.id))
      throw new InputError('Invalid SLO id');
    const { days } = parseRequest(historyQuery, req.query);
    const slo = await o.store.getSlo(req.params.id);
    if (!slo) throw new NotFoundError(`There is no SLO ${req.params.id}`);
    const since = new Date(Date.now() - days * 86_400_000);
    res.json({ slo, points: await o.store.history(slo.id, since) });
  });

  /** The SLOs of everything a group and the groups below it own, worst first. */
  const groupPath = '/groups/:namespace/:name';
  async function subtree(
    req: express.Request,
    credentials: BackstageCredentials,
  ) {
    const groupRef = entityRefOf({
      kind: 'group',
      namespace: req.params.namespace,
      name: req.params.name,
    });
    await requireEntity(groupRef, credentials);
    // Refs only: whole entities (SLO definitions inline among their
    // annotations) cost the catalog far more to send.
    const owned = await o.hierarchy.ownedEntities(groupRef, {
      kinds: ['Component', 'Resource', 'System'],
      fields: [],
    });
    return refsOf(owned);
  }

  router.get(`${groupPath}/slos`, async (req, res) => {
    const credentials = await caller(req);
    const query = parseRequest(page, req.query);
    const refs = await subtree(req, credentials);
    res.json({
      ...(await o.store.listSlos(refs, query)),
      entityCount: refs.length,
    });
  });

  /** The team's delivery: each entity's measures and the team's together. */
  router.get(`${groupPath}/delivery`, async (req, res) => {
    const credentials = await caller(req);
    const entities = await o.store.delivery(await subtree(req, credentials));
    res.json({
      configured: !!o.deliveryConfigured,
      team: teamDelivery(entities),
      entities,
    });
  });

  router.get(`${groupPath}/alerts`, async (req, res) => {
    const credentials = await caller(req);
    const query = parseRequest(alertsPage, req.query);
    res.json(await o.store.listAlerts(await subtree(req, credentials), query));
  });

  /**
   * Alertmanager's webhook receiver. Alertmanager authenticates as a service
   * (a static token of backend.auth.externalAccess as its bearer token);
   * people cannot post alerts. Sending the same alerts again changes nothing
   * but their status.
   */
  router.post(
    '/alertmanager',
    auditedBodyParser<express.Request>(
      express.json({ limit: '1mb' }),
      o.auditor,
    ),
    async (req, res) => {
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
        const payload = parseRequest(alertmanagerPayload, req.body);
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
    },
  );

  /** Reads the SLO definitions and evaluates them now (admins). */
  router.post('/evaluate', async (req, res) => {
    await caller(req, sreManagePermission);
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
