import {
  AuditorService,
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
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
import { auditedBodyParser, entityRefOf } from '@portal/request-validation';
import express from 'express';
import { SreStore } from '../database/SreStore';
import { teamDelivery } from '../delivery/dora';
import { createOpenApiRouter } from '../schema/openapi';
import { alertsOf } from './alertmanager';
import { LinkTemplate, observabilityLinks } from './observability';
import { SloDefinitions } from './SloDefinitions';
import { SloEvaluator } from './SloEvaluator';

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
}

/** Where a refused body waits for the validator to have run. */
const BODY_REFUSAL = Symbol('body refusal');
type Deferred = express.Request & { [BODY_REFUSAL]?: Error };

export async function createRouter(o: RouterOptions): Promise<express.Router> {
  // Bodies (Alertmanager's webhook) are parsed up to 1 MiB, and a refused
  // one is audited. The validated router turns any error before its routes
  // into a 400, so the parser's refusal (413 too large, 400 not JSON) waits
  // on the request until the validator has run, and is answered as it is.
  const parser = auditedBodyParser<express.Request>(
    express.json({ limit: '1mb' }),
    o.auditor,
  );
  // The spec (src/schema/openapi.yaml) checks parameters and Alertmanager's
  // body before the routes: an unknown or out-of-bounds one answers 400
  // naming it. Who may call is httpAuth's (401) and the routes' (403) to
  // say, not the validator's.
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false },
    middleware: [
      (req, res, next) =>
        parser(req, res, error => {
          if (error) (req as Deferred)[BODY_REFUSAL] = error as Error;
          next();
        }),
    ],
  });
  router.use((req, _res, next) => next((req as Deferred)[BODY_REFUSAL]));
  router.use(
    async (
      error: Error,
      req: Deferred,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      const refusal = req[BODY_REFUSAL];
      if (refusal) {
        next(refusal);
        return;
      }
      // The validator's refusals of a webhook are audited as the route's
      // own refusals were: what Alertmanager sent, and why it was refused.
      if (req.method === 'POST' && req.path === '/alertmanager') {
        await o.auditor
          .createEvent({
            eventId: 'alertmanager-webhook',
            severityLevel: 'low',
            request: req,
          })
          .then(event => event.fail({ error }))
          .catch(() => undefined);
      }
      next(error);
    },
  );

  /**
   * A reader: a person, or a machine granted sre.read; and the policy's one
   * decision on reliability data for them (ALLOW, DENY or conditions that
   * each entity is checked against).
   */
  async function reader(req: Req) {
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

  router.get('/entities/:kind/:namespace/:name/slos', async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    await readableEntity(ref, who);
    res.json({
      ...(await o.store.listSlos([ref], req.query)),
      problems: o.definitions
        .currentProblems()
        .filter(p => p.entityRef === ref),
    });
  });

  /** Dashboards, logs and traces of the entity (annotations, then config). */
  router.get(
    '/entities/:kind/:namespace/:name/observability',
    async (req, res) => {
      const entity = await readableEntity(
        entityRefOf(req.params),
        await reader(req),
      );
      res.json({
        configured: o.linkTemplates.length > 0,
        links: observabilityLinks(entity, o.linkTemplates),
      });
    },
  );

  /** The entity's DORA measures (from GitHub, on a schedule). */
  router.get('/entities/:kind/:namespace/:name/delivery', async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    await readableEntity(ref, who);
    const [metrics] = await o.store.delivery([ref]);
    res.json({ configured: !!o.deliveryConfigured, metrics });
  });

  router.get('/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    const who = await reader(req);
    const ref = entityRefOf(req.params);
    await readableEntity(ref, who);
    res.json(await o.store.listAlerts([ref], req.query));
  });

  // The spec lets only SLO ids (64 hex digits) and 1 to 35 days through.
  router.get('/slos/:id/history', async (req, res) => {
    const who = await reader(req);
    const days = req.query.days ?? 7;
    const slo = await o.store.getSlo(req.params.id);
    if (!slo) throw new NotFoundError(`There is no SLO ${req.params.id}`);
    // The SLO's entity decides, as on the entity's own routes.
    await readableEntity(slo.entityRef, who);
    const since = new Date(Date.now() - days * 86_400_000);
    res.json({ slo, points: await o.store.history(slo.id, since) });
  });

  /** The SLOs of everything a group and the groups below it own, worst first. */
  function subtree(
    params: { namespace: string; name: string },
    who: Awaited<ReturnType<typeof reader>>,
  ) {
    return subtreeOf(entityRefOf({ kind: 'group', ...params }), who);
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

  router.get('/groups/:namespace/:name/slos', async (req, res) => {
    const who = await reader(req);
    const refs = await subtree(req.params, who);
    res.json({
      ...(await o.store.listSlos(refs, req.query)),
      entityCount: refs.length,
    });
  });

  /** The team's delivery: each entity's measures and the team's together. */
  router.get('/groups/:namespace/:name/delivery', async (req, res) => {
    const entities = await o.store.delivery(
      await subtree(req.params, await reader(req)),
    );
    res.json({
      configured: !!o.deliveryConfigured,
      team: teamDelivery(entities),
      entities,
    });
  });

  router.get('/groups/:namespace/:name/alerts', async (req, res) => {
    const who = await reader(req);
    res.json(
      await o.store.listAlerts(await subtree(req.params, who), req.query),
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
