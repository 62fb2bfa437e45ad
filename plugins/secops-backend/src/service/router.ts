import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Finding,
  FindingSummary,
  GatePolicy,
  REPORT_FORMATS,
  secopsExemptionDecidePermission,
  secopsExemptionRequestPermission,
  secopsFindingsReadPermission,
  secopsOrganisationReadPermission,
  secopsReportUploadPermission,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { evaluateGate } from './gates';
import { toOcsf } from '../siem/ocsf';
import {
  Caller,
  MachineGrant,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import {
  auditedBodyParser,
  entityRefOf,
  parseRequest as parse,
} from '@portal/request-validation';
import { SecopsStores, StoredFinding } from '../database/types';
import { dueDate, overdueCutoffs, SecopsOptions } from './options';
import { ReportIngester } from './ReportIngester';
import {
  PayloadTooLargeError,
  spoolUpload,
  SpooledReport,
} from './reportSource';

const CATEGORIES = ['sast', 'sca', 'dast', 'secret', 'misconfig'] as const;

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform(s => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));

const uploadQuery = z
  .object({
    entityRef: z.string().min(1),
    tool: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,99}$/i,
        'tool must be a short name such as semgrep or trivy',
      ),
    format: z.string().max(32).optional(),
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/i, 'commit must be a git commit hash')
      .optional(),
    branch: z.string().min(1).max(255).optional(),
  })
  .strict();

const listQuery = z
  .object({
    status: z.enum(['open', 'fixed']).optional(),
    severity: csv(SEVERITIES).optional(),
    category: csv(CATEGORIES).optional(),
    search: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

type EntityRequest = Request<{ kind: string; namespace: string; name: string }>;

/** Entities per permission request (see visibleOwned). */
const AUTHORIZE_BATCH = 50;
/** How long the organisation's teams side by side are reused. */
const ORGANISATION_TTL_MS = 30_000;

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  stores: SecopsStores;
  ingester: ReportIngester;
  options: SecopsOptions;
  gates: GatePolicy[];
  groups: OwnershipService;
  machines: MachineIdentities;
}

const postureQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** Worst first: criticals, then highs, then overdue, then the rest. */
function worstFirst(
  a: { open: Record<string, number>; overdue: number },
  b: { open: Record<string, number>; overdue: number },
) {
  return (
    b.open.critical - a.open.critical ||
    b.open.high - a.open.high ||
    b.overdue - a.overdue ||
    b.open.medium - a.open.medium ||
    b.open.low - a.open.low
  );
}

const gateBody = z
  .object({
    entityRef: z.string().min(1),
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/i, 'commit must be a git commit hash')
      .optional(),
    branch: z.string().min(1).max(255).optional(),
  })
  .strict();

const MAX_EXEMPTION_DAYS = 365;

const exemptionBody = z
  .object({
    justification: z
      .string()
      .trim()
      .min(10, 'justification must say why, in at least 10 characters')
      .max(2000),
    expiresAt: z.string().datetime({
      offset: true,
      message: 'expiresAt must be an ISO 8601 date and time',
    }),
  })
  .strict();

const decisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export async function createRouter(
  deps: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    auth,
    permissions,
    auditor,
    catalog,
    stores,
    ingester,
    options,
    gates,
    groups,
    machines,
  } = deps;
  const router = Router();

  /**
   * Refuses unless the caller may act on the entity: people as the policy
   * says; a CI run only on the entities of its own repository; other
   * machines only with the grant for every entity.
   */
  async function authorize(
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ) {
    const caller = machines.classify(credentials);
    if (caller.type !== 'user') {
      const grant: MachineGrant =
        permission === secopsFindingsReadPermission
          ? 'secops.read'
          : 'secops.upload';
      const action =
        permission === secopsFindingsReadPermission
          ? 'see the findings of'
          : 'upload reports for or ask the gate about';
      machines.requireEntity(
        caller,
        await requireEntity(entityRef),
        grant,
        action,
      );
      return caller;
    }
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const what: Record<string, string> = {
        [secopsReportUploadPermission.name]: 'upload reports for',
        [secopsFindingsReadPermission.name]: 'see the findings of',
        [secopsExemptionRequestPermission.name]:
          'ask for exemptions on the findings of',
      };
      throw new NotAllowedError(
        `You may not ${what[permission.name]} ${entityRef}`,
      );
    }
    return caller;
  }

  /** Whether the caller is in the security organisation (the policy says). */
  async function isSecurity(caller: Caller) {
    if (caller.type !== 'user') return false;
    const [decision] = await permissions.authorize(
      [{ permission: secopsExemptionDecidePermission }],
      { credentials: caller.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /**
   * Organisation-wide reads: for machines only with the grant; for people
   * the route asks the policy.
   */
  function requireMachineGrant(
    credentials: BackstageCredentials,
    grant: MachineGrant,
    what: string,
  ) {
    const caller = machines.classify(credentials);
    machines.requireGrant(caller, grant, what);
    return caller;
  }

  async function requireEntity(entityRef: string) {
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`There is no ${entityRef} in the catalog`);
    }
    return entity;
  }

  /** The organisation-wide views: a user of the security team (or an admin). */
  async function requireOrganisationReader(req: Request, what: string) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requireBasic(credentials, what, secopsOrganisationReadPermission);
  }

  async function requireBasic(
    credentials: BackstageCredentials,
    what: string,
    permission: BasicPermission = secopsExemptionDecidePermission,
  ) {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Only the security team may ${what}`);
    }
  }

  // The caller and the entity are checked before the body is read; the body
  // is then written to a temporary file as it arrives, inflated on the way,
  // with both sizes capped (so a gzip bomb stops at the limit).
  router.post('/reports', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const auditorEvent = await auditor.createEvent({
      eventId: 'report-upload',
      severityLevel: 'medium',
      request: req,
      meta: {
        entityRef: String(req.query.entityRef ?? '').slice(0, 300),
        tool: String(req.query.tool ?? '').slice(0, 100),
      },
    });
    let report: SpooledReport | undefined;
    try {
      const declared = Number(req.header('content-length') ?? 0);
      if (declared > options.maxCompressedBytes) {
        throw new PayloadTooLargeError(
          `The upload is larger than ${options.maxCompressedBytes} bytes (secops.limits.maxCompressedBytes)`,
        );
      }
      const query = parse(uploadQuery, req.query);
      const entityRef = entityRefOf(query.entityRef);
      const caller = await authorize(
        credentials,
        secopsReportUploadPermission,
        entityRef,
      );
      await requireEntity(entityRef);
      // Gate integrity: a scan closes the findings it no longer has only
      // when it comes from a machine bound to the entity (its own CI) or
      // granted, or from the security team. A report a team uploads by
      // hand adds and re-opens findings, never closes them, so the gated
      // team cannot pass its own gate with an empty report.
      const closesMissing =
        caller.type !== 'user' || (await isSecurity(caller));
      report = await spoolUpload(
        req,
        req.header('content-encoding') ?? 'identity',
        options,
      );
      const result = await ingester.ingest({
        entityRef,
        tool: query.tool.toLowerCase(),
        format: query.format,
        commitSha: query.commit,
        branch: query.branch,
        uploadedBy: caller.principal,
        body: report,
        closesMissing,
      });
      await auditorEvent.success({ meta: { ...result } });
      res.status(201).json(result);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        // What is left of the body is not read: end the connection after
        // the answer.
        res.setHeader('connection', 'close');
      }
      await auditorEvent.fail({ error: error as Error });
      throw error;
    } finally {
      await report?.dispose();
    }
  });

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/findings`, async (req: EntityRequest, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    const query = parse(listQuery, req.query);
    await authorize(credentials, secopsFindingsReadPermission, entityRef);
    const now = new Date();
    const page = await stores.findings.listFindings({
      entityRef,
      status: query.status,
      severities: query.severity,
      categories: query.category,
      search: query.search,
      limit: query.limit,
      cursor: query.cursor,
    });
    res.json({
      ...page,
      items: page.items.map(f => present(f, options, now)),
    });
  });

  router.get(`${entityPath}/summary`, async (req: EntityRequest, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    await authorize(credentials, secopsFindingsReadPermission, entityRef);
    const counts = await stores.findings.countFindings(
      entityRef,
      overdueCutoffs(options, new Date()),
    );
    const summary: FindingSummary = {
      entityRef,
      open: counts.open,
      byCategory: counts.byCategory,
      overdue: counts.overdue,
      fixed: counts.fixed,
      lastScanAt: counts.lastScanAt?.toISOString(),
    };
    res.json(summary);
  });

  // JSON bodies for the routes below (reports are read raw above).
  // A refused body (malformed, too large) is audited before it answers.
  router.use(
    auditedBodyParser<express.Request>(
      express.json({ limit: '64kb' }),
      auditor,
    ),
  );

  /** The gate CI asks before it ships: pass or fail, with the reasons. */
  router.post('/gate', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const auditorEvent = await auditor.createEvent({
      eventId: 'gate-decision',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef: String(req.body?.entityRef ?? '').slice(0, 300) },
    });
    try {
      const body = parse(gateBody, req.body);
      const entityRef = entityRefOf(body.entityRef);
      // A person asks with read access; a machine must be the entity's
      // own CI (or hold secops.upload).
      const caller = await authorize(
        credentials,
        credentials.principal.type === 'user'
          ? secopsFindingsReadPermission
          : secopsReportUploadPermission,
        entityRef,
      );
      const entity = await requireEntity(entityRef);
      const decision = await evaluateGate(
        stores.findings,
        entity,
        gates,
        new Date(),
      );
      const decisionId = await stores.gateDecisions.recordGateDecision({
        ...decision,
        commitSha: body.commit,
        branch: body.branch,
        requestedBy: caller.principal,
      });
      await auditorEvent.success({
        meta: { gate: decision.gate, passed: decision.passed, decisionId },
      });
      res.json({ ...decision, decisionId });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(`${entityPath}/gate`, async (req: EntityRequest, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    await authorize(credentials, secopsFindingsReadPermission, entityRef);
    const entity = await requireEntity(entityRef);
    res.json({
      current: await evaluateGate(stores.findings, entity, gates, new Date()),
      last: await stores.gateDecisions.latestGateDecision(entityRef),
    });
  });

  router.post('/findings/:id/exemptions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'exemption-request',
      severityLevel: 'medium',
      request: req,
      meta: { findingId: req.params.id },
    });
    try {
      const body = parse(exemptionBody, req.body);
      const finding = await stores.findings.getFinding(req.params.id);
      if (!finding) {
        throw new NotFoundError(`There is no finding ${req.params.id}`);
      }
      await authorize(
        credentials,
        secopsExemptionRequestPermission,
        finding.entityRef,
      );
      const now = new Date();
      const expiresAt = new Date(body.expiresAt);
      if (expiresAt.getTime() <= now.getTime()) {
        throw new InputError('expiresAt must be in the future');
      }
      if (expiresAt.getTime() > now.getTime() + MAX_EXEMPTION_DAYS * 86400000) {
        throw new InputError(
          `An exemption lasts at most ${MAX_EXEMPTION_DAYS} days`,
        );
      }
      if (finding.status !== 'open') {
        throw new InputError('Only open findings can be exempted');
      }
      const exemption = await stores.exemptions.createExemption(
        {
          findingId: finding.id,
          entityRef: finding.entityRef,
          justification: body.justification,
          requestedBy: principalOf(credentials),
          expiresAt,
        },
        now,
      );
      await auditorEvent.success({
        meta: { exemptionId: exemption.id, entityRef: finding.entityRef },
      });
      res.status(201).json(exemption);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/exemptions/:id/decision', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'exemption-decision',
      severityLevel: 'high',
      request: req,
      meta: { exemptionId: req.params.id },
    });
    try {
      const body = parse(decisionBody, req.body);
      await requireBasic(credentials, 'approve or reject exemptions');
      const requested = await stores.exemptions.getExemption(
        req.params.id,
        new Date(),
      );
      if (!requested) {
        throw new NotFoundError(`There is no exemption ${req.params.id}`);
      }
      // Separation of duties: nobody decides their own request.
      if (
        requested.requestedBy.toLowerCase() ===
        principalOf(credentials).toLowerCase()
      ) {
        throw new NotAllowedError(
          'You asked for this exemption: someone else in the security team must decide it',
        );
      }
      const exemption = await stores.exemptions.decideExemption(
        req.params.id,
        {
          status: body.decision === 'approve' ? 'approved' : 'rejected',
          decidedBy: principalOf(credentials),
          comment: body.comment,
        },
        new Date(),
      );
      await auditorEvent.success({ meta: { decision: body.decision } });
      res.json(exemption);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  const trendQuery = z
    .object({ days: z.coerce.number().int().min(2).max(400).default(90) })
    .strict();

  router.get(`${entityPath}/trend`, async (req: EntityRequest, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    const { days } = parse(trendQuery, req.query);
    await authorize(credentials, secopsFindingsReadPermission, entityRef);
    res.json({
      items: await stores.events.trend([entityRef], days, new Date()),
    });
  });

  router.get(`${entityPath}/exemptions`, async (req: EntityRequest, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    const query = parse(pageQuery, req.query);
    await authorize(credentials, secopsFindingsReadPermission, entityRef);
    res.json(
      await stores.exemptions.listExemptions(entityRef, {
        ...query,
        now: new Date(),
      }),
    );
  });

  /**
   * A manager's view: every component, resource and system the group and its
   * sub-groups own, worst first, with what the viewer may see.
   */
  /** What the group and its sub-groups own, and which of it the caller may see. */
  async function visibleOwned(
    credentials: BackstageCredentials,
    groupRef: string,
  ) {
    requireMachineGrant(
      credentials,
      'secops.read',
      "read a group's security posture",
    );
    const owned = await groups.ownedEntities(groupRef, {
      kinds: ['Component', 'Resource', 'System'],
      fields: ['metadata.title', 'spec.owner', 'spec.type'],
    });
    const refs = owned.map(e => stringifyEntityRef(e));
    // In batches: a department owns hundreds of entities, and one request
    // for all of them (with the policy's conditions repeated for each) went
    // over the permission endpoints' body limit (413).
    const batches: string[][] = [];
    for (let i = 0; i < refs.length; i += AUTHORIZE_BATCH) {
      batches.push(refs.slice(i, i + AUTHORIZE_BATCH));
    }
    const decisions = (
      await Promise.all(
        batches.map(batch =>
          permissions.authorize(
            batch.map(resourceRef => ({
              permission: secopsFindingsReadPermission,
              resourceRef,
            })),
            { credentials },
          ),
        ),
      )
    ).flat();
    const visible = owned.filter(
      (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
    );
    return { owned, visible };
  }

  router.get('/groups/:namespace/:name/trend', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const groupRef = entityRefOf({ kind: 'group', ...req.params });
    const { days } = parse(trendQuery, req.query);
    const { visible } = await visibleOwned(credentials, groupRef);
    res.json({
      items: await stores.events.trend(
        visible.map(e => stringifyEntityRef(e)),
        days,
        new Date(),
      ),
    });
  });

  router.get('/groups/:namespace/:name/posture', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const groupRef = entityRefOf({ kind: 'group', ...req.params });
    const query = parse(postureQuery, req.query);
    const { owned, visible } = await visibleOwned(credentials, groupRef);
    const counts = await stores.findings.countForEntities(
      visible.map(e => stringifyEntityRef(e)),
      overdueCutoffs(options, new Date()),
    );
    const zero = Object.fromEntries(SEVERITIES.map(s => [s, 0]));
    const rows = visible
      .map(entity => {
        const entityRef = stringifyEntityRef(entity);
        const c = counts.get(entityRef);
        return {
          entityRef,
          title: entity.metadata.title ?? entity.metadata.name,
          kind: entity.kind,
          type: (entity.spec?.type as string) ?? undefined,
          owner: (entity.spec?.owner as string) ?? undefined,
          open: c?.open ?? zero,
          overdue: c?.overdue ?? 0,
          lastScanAt: c?.lastScanAt?.toISOString(),
        };
      })
      .sort(worstFirst);
    const totals = {
      open: Object.fromEntries(
        SEVERITIES.map(s => [s, rows.reduce((n, r) => n + r.open[s], 0)]),
      ),
      overdue: rows.reduce((n, r) => n + r.overdue, 0),
      scanned: rows.filter(r => r.lastScanAt).length,
    };
    res.json({
      groupRef,
      totals,
      items: rows.slice(query.offset, query.offset + query.limit),
      totalCount: rows.length,
      hidden: owned.length - visible.length,
    });
  });

  /** Every team side by side: the SecOps organisation page. */
  /**
   * Every team side by side: the same for every reader (it is read with the
   * backend's own credentials), and it reads every team's counts over all
   * findings. Computed at most once per ORGANISATION_TTL_MS however many of
   * the security team have the page open; a failed computation is not kept.
   */
  async function teamsSideBySide() {
    // Every team of the group tree, however many (the ownership service's
    // cached tree), and what each owns from one read of the owned entities.
    const teams = (await groups.tree())
      .all()
      .filter(group => group.type === 'team')
      .sort((a, b) => a.ref.localeCompare(b.ref));
    const ownedByTeam = await groups.ownedEntitiesByGroup(
      teams.map(team => team.ref),
      { kinds: ['Component', 'Resource', 'System'], fields: [] },
    );
    const owned = teams.map(team => ownedByTeam.get(team.ref) ?? []);
    const counts = await stores.findings.countForEntities(
      [...new Set(owned.flat().map(e => stringifyEntityRef(e)))],
      overdueCutoffs(options, new Date()),
    );
    const rows = teams.map((team, i) => {
      const refs = owned[i].map(e => stringifyEntityRef(e));
      const open = Object.fromEntries(
        SEVERITIES.map(s => [
          s,
          refs.reduce((n, ref) => n + (counts.get(ref)?.open[s] ?? 0), 0),
        ]),
      ) as Record<(typeof SEVERITIES)[number], number>;
      return {
        groupRef: team.ref,
        title: team.title,
        entities: refs.length,
        scanned: refs.filter(ref => counts.get(ref)?.lastScanAt).length,
        open,
        overdue: refs.reduce(
          (n, ref) => n + (counts.get(ref)?.overdue ?? 0),
          0,
        ),
      };
    });
    return rows.sort(worstFirst);
  }
  let organisationTeams:
    | { at: number; rows: ReturnType<typeof teamsSideBySide> }
    | undefined;

  router.get('/organisation/teams', async (req, res) => {
    await requireOrganisationReader(req, 'see the whole organisation');
    const now = Date.now();
    if (
      !organisationTeams ||
      now - organisationTeams.at >= ORGANISATION_TTL_MS
    ) {
      const entry = { at: now, rows: teamsSideBySide() };
      organisationTeams = entry;
      entry.rows.catch(() => {
        if (organisationTeams === entry) organisationTeams = undefined;
      });
    }
    res.json({ items: await organisationTeams.rows });
  });

  router.get('/organisation/top-risks', async (req, res) => {
    await requireOrganisationReader(req, 'see the whole organisation');
    const { limit } = parse(
      z
        .object({ limit: z.coerce.number().int().min(1).max(100).default(20) })
        .strict(),
      req.query,
    );
    const now = new Date();
    const findings = await stores.findings.topRisks(limit);
    res.json({ items: findings.map(f => present(f, options, now)) });
  });

  /** Who is exposed to CVE-2021-44228? */
  router.get('/organisation/exposure', async (req, res) => {
    await requireOrganisationReader(req, 'search the whole organisation');
    const { id } = parse(
      z
        .object({
          id: z
            .string()
            .trim()
            .min(3, 'id must be an advisory or rule id such as CVE-2021-44228')
            .max(200),
        })
        .strict(),
      req.query,
    );
    res.json({ id, items: await stores.findings.findExposure(id, 200) });
  });

  /**
   * The SIEM export: events after `cursor`, oldest first, one OCSF JSON
   * object a line. The next cursor is in the X-Next-Cursor header; poll with
   * it to follow the log.
   */
  router.get('/export/events', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const auditorEvent = await auditor.createEvent({
      eventId: 'siem-export',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const caller = requireMachineGrant(
        credentials,
        'secops.export',
        'export security events',
      );
      if (caller.type === 'user') {
        await requireBasic(
          credentials,
          'export security events',
          secopsOrganisationReadPermission,
        );
      }
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
    const query = parse(
      z
        .object({
          cursor: z
            .string()
            .regex(/^\d{1,18}$/, 'cursor must be an event id')
            .optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(1000),
        })
        .strict(),
      req.query,
    );
    const events = await stores.events.listEvents({
      afterId: query.cursor,
      limit: query.limit,
    });
    const next = events.length
      ? events[events.length - 1].id
      : query.cursor ?? '0';
    await auditorEvent.success({ meta: { events: events.length, next } });
    res.setHeader('content-type', 'application/x-ndjson');
    res.setHeader('x-next-cursor', next);
    res.send(events.map(e => `${JSON.stringify(toOcsf(e))}\n`).join(''));
  });

  /** How far each SIEM webhook got, and its retry state. */
  router.get('/export/webhooks', async (req, res) => {
    await requireOrganisationReader(req, 'see the SIEM deliveries');
    res.json({ items: await stores.events.listWebhookDeliveries() });
  });

  router.get('/formats', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: ingester.formats, builtIn: REPORT_FORMATS });
  });

  return router;
}

function principalOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.type === 'user'
    ? principal.userEntityRef!
    : `service:${principal.subject ?? 'unknown'}`;
}

/** Only http(s) links leave the API: a report cannot smuggle javascript: URLs. */
function safeUrl(value?: string) {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

function present(
  finding: StoredFinding,
  options: SecopsOptions,
  now: Date,
): Finding {
  const due =
    finding.status === 'open'
      ? dueDate(options, finding.severity, finding.firstSeenAt)
      : undefined;
  return {
    ...finding,
    url: safeUrl(finding.url),
    helpUrl: safeUrl(finding.helpUrl),
    firstSeenAt: finding.firstSeenAt.toISOString(),
    lastSeenAt: finding.lastSeenAt.toISOString(),
    fixedAt: finding.fixedAt?.toISOString(),
    dueAt: due?.toISOString(),
    overdue: due ? due.getTime() < now.getTime() : false,
    exemptedUntil: finding.exemptedUntil?.toISOString(),
    exemptionPending: finding.exemptionPending,
  };
}
