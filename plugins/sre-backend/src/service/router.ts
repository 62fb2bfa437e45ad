import {
  AuditorService,
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityAuthorization,
  MachineIdentities,
  OwnershipService,
  refsOf,
} from '@portal/catalog-ownership';
import {
  MySloSummary,
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
  /** The embedded default's live demo traffic, scraped by its Prometheus. */
  exporter?: DemoExporter;
  entityLabels: string[];
  status: () => SreSourceStatus;
}

export async function createRouter(o: RouterOptions): Promise<express.Router> {
  const router = Router();

  /**
   * A reader: a person, or a machine granted sre.read; and the policy's one
   * decision on reliability data for them (ALLOW, DENY or conditions that
   * each entity is checked against).
   */
  async function reader(req: express.Request) {
    const credentials = await o.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    o.machines.requireGrant(
      o.machines.classify(credentials),
      'sre.read',
      'read reliability data',
    );
    const decision = await o.authorization.decide(
      credentials,
      sreReliabilityReadPermission,
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError('You may not see reliability data');
    }
    return { credentials, decision };
  }

  /** Evaluating by hand is for people (admins), never for machines. */
  async function manager(req: express.Request) {
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

  /**
   * The entity, read with the caller's credentials (so the catalog's own
   * permissions apply), if the policy's decision allows its reliability data.
   */
  async function readableEntity(
    ref: string,
    { credentials, decision }: Awaited<ReturnType<typeof reader>>,
  ) {
    const entity = await o.catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`${ref} is not in the catalog`);
    if (!decision.allows(entity)) {
      throw new NotAllowedError(`You may not see the reliability of ${ref}`);
    }
    return entity;
  }

  if (o.exporter) {
    router.get('/demo/metrics', (_req, res) => {
      res.type('text/plain; version=0.0.4').send(o.exporter!.render());
    });
  }

  /** Where the SLI data comes from, the last evaluation, and unreadable SLO files. */
  router.get('/status', async (req, res) => {
    const { decision } = await reader(req);
    let problems = o.definitions.currentProblems();
    if (decision.result === AuthorizeResult.CONDITIONAL && problems.length) {
      // Only the problems of entities the conditions allow.
      const { items } = await o.catalog.getEntitiesByRefs(
        { entityRefs: [...new Set(problems.map(p => p.entityRef))] },
        { credentials: await o.auth.getOwnServiceCredentials() },
      );
      const allowed = new Set(
        items
          .filter((e): e is Entity => !!e && decision.allows(e))
          .map(e => stringifyEntityRef(e)),
      );
      problems = problems.filter(p => allowed.has(p.entityRef));
    }
    res.json({ ...o.status(), problems });
  });

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/slos`, async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    const query = parseRequest(page, req.query);
    await readableEntity(ref, who);
    res.json({
      ...(await o.store.listSlos([ref], query)),
      problems: o.definitions
        .currentProblems()
        .filter(p => p.entityRef === ref),
    });
  });

  /** Dashboards, logs and traces of the entity (annotations, then config). */
  router.get(`${entityPath}/observability`, async (req, res) => {
    const entity = await readableEntity(
      entityRefOf(req.params),
      await reader(req),
    );
    res.json({
      configured: o.linkTemplates.length > 0,
      links: observabilityLinks(entity, o.linkTemplates),
    });
  });

  /** The entity's DORA measures (from GitHub, on a schedule). */
  router.get(`${entityPath}/delivery`, async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    await readableEntity(ref, who);
    const [metrics] = await o.store.delivery([ref]);
    res.json({ configured: !!o.deliveryConfigured, metrics });
  });

  router.get(`${entityPath}/alerts`, async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    const query = parseRequest(alertsPage, req.query);
    await readableEntity(ref, who);
    res.json(await o.store.listAlerts([ref], query));
  });

  router.get('/slos/:id/history', async (req, res) => {
    const who = await reader(req);
    if (!/^[0-9a-f]{64}$/.test(req.params.id))
      throw new InputError('Invalid SLO id');
    const { days } = parseRequest(historyQuery, req.query);
    const slo = await o.store.getSlo(req.params.id);
    if (!slo) throw new NotFoundError(`There is no SLO ${req.params.id}`);
    // The SLO's entity decides, as on the entity's own routes.
    await readableEntity(slo.entityRef, who);
    const since = new Date(Date.now() - days * 86_400_000);
    res.json({ slo, points: await o.store.history(slo.id, since) });
  });

  /** The SLOs of everything a group and the groups below it own, worst first. */
  const groupPath = '/groups/:namespace/:name';
  function subtree(
    req: express.Request,
    who: Awaited<ReturnType<typeof reader>>,
  ) {
    const groupRef = entityRefOf({
      kind: 'group',
      namespace: req.params.namespace,
      name: req.params.name,
    });
    return subtreeOf(groupRef, who);
  }

  async function subtreeOf(
    groupRef: string,
    who: Awaited<ReturnType<typeof reader>>,
  ) {
    const group = await o.catalog.getEntityByRef(groupRef, {
      credentials: who.credentials,
    });
    if (!group) throw new NotFoundError(`${groupRef} is not in the catalog`);
    const kinds = ['Component', 'Resource', 'System'];
    if (who.decision.result === AuthorizeResult.ALLOW) {
      // Refs only: whole entities (SLO definitions inline among their
      // annotations) cost the catalog far more to send.
      return refsOf(
        await o.hierarchy.ownedEntities(groupRef, { kinds, fields: [] }),
      );
    }
    // Conditions: what the policy's rules read, and only what they allow.
    const owned = await o.hierarchy.ownedEntities(groupRef, {
      kinds,
      fields: ['metadata', 'spec', 'relations'],
    });
    return refsOf(owned.filter(entity => who.decision.allows(entity)));
  }

  /**
   * The home page's widget, in one call: the SLOs of what the signed-in
   * person's teams own, worst first.
   */
  router.get('/me/summary', async (req, res) => {
    const who = await reader(req);
    if (who.credentials.principal.type !== 'user') {
      throw new NotAllowedError('Only a person has teams');
    }
    const teams = await o.hierarchy.groupsOf(
      who.credentials.principal.userEntityRef,
    );
    const refs = new Set<string>();
    for (const team of teams) {
      for (const ref of await subtreeOf(team, who)) refs.add(ref);
    }
    const slos = await o.store.listSlos([...refs], { limit: 8 });
    const summary: MySloSummary = {
      teams,
      totalCount: slos.totalCount,
      worst: slos.items,
    };
    res.json(summary);
  });

  router.get(`${groupPath}/slos`, async (req, res) => {
    const who = await reader(req);
    const query = parseRequest(page, req.query);
    const refs = await subtree(req, who);
    res.json({
      ...(await o.store.listSlos(refs, query)),
      entityCount: refs.length,
    });
  });

  /** The team's delivery: each entity's measures and the team's together. */
  router.get(`${groupPath}/delivery`, async (req, res) => {
    const entities = await o.store.delivery(
      await subtree(req, await reader(req)),
    );
    res.json({
      configured: !!o.deliveryConfigured,
      team: teamDelivery(entities),
      entities,
    });
  });

  router.get(`${groupPath}/alerts`, async (req, res) => {
    const who = await reader(req);
    const query = parseRequest(alertsPage, req.query);
    res.json(await o.store.listAlerts(await subtree(req, who), query));
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
