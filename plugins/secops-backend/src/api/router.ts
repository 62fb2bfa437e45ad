import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEvent,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  REPORT_FORMATS,
  secopsFindingsReadPermission,
  secopsGatePolicyManagePermission,
  secopsOrganisationReadPermission,
  secopsReportUploadPermission,
} from '@portal/plugin-secops-common';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import express, { Request } from 'express';
import { z } from 'zod/v3';
import { entityRefOf, parseRequest as parse } from '@portal/request-validation';
import { EventExport } from '../service/EventExport';
import { ExemptionRequests } from '../service/ExemptionRequests';
import { FindingAssignments } from '../service/FindingAssignments';
import { FindingTickets } from '../service/FindingTickets';
import { Scorecards } from '../scorecards/Scorecards';
import { Compliance } from '../compliance/Compliance';
import { Campaigns } from '../service/Campaigns';
import { CheckExemptions } from '../service/CheckExemptions';
import { FindingNotices } from '../service/FindingNotices';
import { GatePolicies } from '../service/GatePolicies';
import { OffPathExceptions } from '../service/OffPathExceptions';
import { EntitySignals } from '../service/EntitySignals';
import { ExemptionService } from '../service/ExemptionService';
import { FindingService } from '../service/FindingService';
import { GateService } from '../service/GateService';
import { PostureService } from '../service/PostureService';
import { ReportIngester } from '../service/ReportIngester';
import { SecopsAccess } from '../service/SecopsAccess';
import { SecopsReader } from '../service/SecopsReader';
import { ExploitabilityImporter } from '../exploitability/ExploitabilityImporter';
import { SecopsOptions } from '../service/options';
import {
  PayloadTooLargeError,
  spoolUpload,
  SpooledReport,
} from '../service/reportSource';
import {
  decisionBody,
  exemptionBody,
  exportQuery,
  offPathBody,
  offPathListQuery,
  exposureQuery,
  gateBody,
  listQuery,
  assignmentBody,
  ticketBody,
  complianceQuery,
  checkExemptionBody,
  evidenceQuery,
  pageQuery,
  postureQuery,
  topRisksQuery,
  trendQuery,
  uploadQuery,
} from './schemas';
import { createValidatedRouter } from './validatedRouter';

/** A request, as httpAuth and the auditor read it. */
type Req = Parameters<HttpAuthService['credentials']>[0];

/** An entity route's request: its path names the entity. */
type EntityRequest = Req & {
  params: { kind: string; namespace: string; name: string };
  query: unknown;
};

/** What the SecOps routes call: access checks, then one service each. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  access: SecopsAccess;
  ingester: ReportIngester;
  findings: FindingService;
  posture: PostureService;
  gate: GateService;
  exemptions: ExemptionService;
  /** The security team's gate policies. */
  gatePolicies: GatePolicies;
  /** A person's exemption requests (shared with the actions). */
  exemptionRequests: ExemptionRequests;
  assignments: FindingAssignments;
  tickets: FindingTickets;
  scorecards: Scorecards;
  compliance: Compliance;
  campaigns: Campaigns;
  checkExemptions: CheckExemptions;
  notices: FindingNotices;
  /** Workloads let off the golden path, and the admission bindings. */
  offPath: OffPathExceptions;
  /** Open Security tabs hear of their entity's changes. */
  signals?: EntitySignals;
  eventExport: EventExport;
  /** What a caller may read, shared with the actions. */
  reader: SecopsReader;
  /** The KEV and EPSS imports. */
  exploitability: ExploitabilityImporter;
  /** The upload limits. */
  options: SecopsOptions;
}

/**
 * The SecOps HTTP API. Each route parses its request, authorizes the caller
 * (SecopsAccess), calls a service and answers; the rules live in the
 * services.
 */
export async function createRouter(
  deps: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, access, ingester, options, reader } = deps;
  const router = await createValidatedRouter(auditor);

  const userOrService = (req: Req) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /**
   * Runs a route's work as one audited event: `work` reports the success;
   * a failure is reported here, then handed on to the error handler.
   */
  async function audited(
    req: Request,
    event: Omit<AuditorServiceCreateEventOptions, 'request'>,
    work: (auditorEvent: AuditorServiceEvent) => Promise<void>,
  ) {
    const auditorEvent = await auditor.createEvent({ ...event, request: req });
    try {
      await work(auditorEvent);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  }

  /**
   * An entity route's caller, entity and query (as `schema` parses it; no
   * schema, no query read). The reader checks the caller after the query
   * is parsed.
   */
  async function readEntity<T extends z.ZodTypeAny>(
    req: EntityRequest,
    schema?: T,
  ): Promise<{
    credentials: Awaited<ReturnType<typeof userOrService>>;
    entityRef: string;
    query: z.infer<T>;
  }> {
    const credentials = await userOrService(req);
    const entityRef = entityRefOf(req.params);
    const query = schema ? parse(schema, req.query) : undefined;
    return { credentials, entityRef, query };
  }

  /** The organisation-wide views: a person (of the security team). */
  const organisationReader = (req: Req) =>
    httpAuth.credentials(req, { allow: ['user'] });

  // The caller and the entity are checked before the body is read; the body
  // is then written to a temporary file as it arrives, inflated on the way,
  // with both sizes capped (so a gzip bomb stops at the limit).
  router.post('/reports', async (req, res) => {
    const credentials = await userOrService(req);
    const meta = {
      entityRef: String(req.query.entityRef ?? '').slice(0, 300),
      tool: String(req.query.tool ?? '').slice(0, 100),
    };
    let report: SpooledReport | undefined;
    try {
      await audited(
        req,
        { eventId: 'report-upload', severityLevel: 'medium', meta },
        async auditorEvent => {
          const declared = Number(req.header('content-length') ?? 0);
          if (declared > options.maxCompressedBytes) {
            throw new PayloadTooLargeError(
              `The upload is larger than ${options.maxCompressedBytes} bytes (secops.limits.maxCompressedBytes)`,
            );
          }
          const query = parse(uploadQuery, req.query);
          const entityRef = entityRefOf(query.entityRef);
          const caller = await access.authorize(
            credentials,
            secopsReportUploadPermission,
            entityRef,
          );
          const entity = await access.requireEntity(entityRef);
          const closesMissing = await access.mayCloseFindings(caller);
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
          // The owning team hears of new critical and high findings; open
          // Security tabs of the entity reload.
          await deps.notices.afterScan(result, entity);
          await deps.signals?.changed([entityRef], 'scan');
          res.status(201).json(result);
        },
      );
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        // What is left of the body is not read: end the connection after
        // the answer.
        res.setHeader('connection', 'close');
      }
      throw error;
    } finally {
      await report?.dispose();
    }
  });

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/findings`, async (req, res) => {
    const { credentials, entityRef, query } = await readEntity(req, listQuery);
    res.json(await reader.entityFindings(credentials, entityRef, query));
  });

  router.get(`${entityPath}/summary`, async (req, res) => {
    const { credentials, entityRef } = await readEntity(req);
    res.json(await reader.entitySummary(credentials, entityRef));
  });

  router.get(`${entityPath}/scorecard`, async (req, res) => {
    const { credentials, entityRef } = await readEntity(req);
    await reader.requireEntityReader(credentials, entityRef);
    res.json(
      (await deps.scorecards.entityScorecard(entityRef, new Date())) ?? {
        entityRef,
        checks: [],
        history: [],
      },
    );
  });

  router.get('/scorecards/checks', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({
      items: deps.scorecards.list().map(c => ({
        id: c.id,
        title: c.title,
        description: c.description,
        level: c.level,
      })),
    });
  });

  /** The security team evaluates every scorecard now (else every 6 hours). */
  router.post('/scorecards/evaluations', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      { eventId: 'scorecards-evaluate', severityLevel: 'low' },
      async auditorEvent => {
        await access.requireSecurityTeam(
          credentials,
          'evaluate the scorecards',
        );
        const summary = await deps.scorecards.evaluateAll(new Date());
        await auditorEvent.success({ meta: { ...summary } });
        res.json(summary);
      },
    );
  });

  router.get('/compliance/frameworks', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({
      items: deps.compliance.list().map(f => ({
        id: f.id,
        title: f.title,
        version: f.version,
        controls: f.controls.length,
      })),
    });
  });

  /**
   * A framework's controls with their pass rates: of an entity, of what a
   * group owns (that the caller may see), or of the organisation (the
   * security team).
   */
  router.get('/compliance/frameworks/:id', async (req, res) => {
    const credentials = await userOrService(req);
    const { entityRef, groupRef } = parse(complianceQuery, req.query);
    const framework = deps.compliance.framework(req.params.id);
    let refs: string[] | undefined;
    let scope: string;
    const canonical = (ref: string, defaultKind: string) => {
      try {
        return stringifyEntityRef(
          parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
        ).toLowerCase();
      } catch {
        throw new InputError(`'${ref}' is not an entity ref`);
      }
    };
    if (entityRef) {
      scope = canonical(entityRef, 'component');
      await reader.requireEntityReader(credentials, scope);
      refs = [scope];
    } else if (groupRef) {
      scope = canonical(groupRef, 'group');
      const { visible } = await access.visibleOwned(credentials, scope);
      refs = visible.map(e => stringifyEntityRef(e));
    } else {
      // As the other organisation views: the security team, or a machine
      // with the read grant (a GRC tool).
      await reader.requireOrganisationReader(
        credentials,
        "read the organisation's compliance",
      );
      scope = 'organisation';
    }
    res.json({
      scope,
      ...(await deps.compliance.status(framework.id, new Date(), refs)),
    });
  });

  /** Auditors' evidence: JSON, CSV and a SHA-256 manifest in a .tar.gz. */
  router.get('/compliance/frameworks/:id/evidence', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      {
        eventId: 'compliance-evidence-export',
        severityLevel: 'medium',
        meta: { framework: req.params.id },
      },
      async auditorEvent => {
        await access.requireSecurityTeam(
          credentials,
          'export compliance evidence',
        );
        const { day } = parse(evidenceQuery, req.query);
        const evidence = await deps.compliance.evidence(
          req.params.id,
          new Date(),
          day,
        );
        await auditorEvent.success({
          meta: { day: evidence.day, sha256: evidence.sha256 },
        });
        res.setHeader('content-type', 'application/gzip');
        res.setHeader(
          'content-disposition',
          `attachment; filename="${evidence.fileName}"`,
        );
        res.end(evidence.archive);
      },
    );
  });

  router.get('/campaigns', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ items: await deps.campaigns.list(new Date()) });
  });

  router.post('/campaigns', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      { eventId: 'campaign-create', severityLevel: 'medium' },
      async auditorEvent => {
        await access.requireSecurityTeam(credentials, 'start a campaign');
        const campaign = await deps.campaigns.create(
          req.body,
          credentials.principal.userEntityRef,
          new Date(),
        );
        await auditorEvent.success({
          meta: { id: campaign.id, title: campaign.title },
        });
        res.status(201).json(campaign);
      },
    );
  });

  router.get('/campaigns/:id', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await deps.campaigns.get(req.params.id, new Date()));
  });

  router.get(`${entityPath}/check-exemptions`, async (req, res) => {
    const { credentials, entityRef } = await readEntity(req);
    await reader.requireEntityReader(credentials, entityRef);
    res.json({ items: await deps.checkExemptions.list(entityRef) });
  });

  router.post(`${entityPath}/check-exemptions`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = entityRefOf(req.params);
    await audited(
      req,
      {
        eventId: 'check-exemption-request',
        severityLevel: 'medium',
        meta: { entityRef },
      },
      async auditorEvent => {
        const body = parse(checkExemptionBody, req.body);
        const exemption = await deps.checkExemptions.request(
          credentials,
          entityRef,
          { ...body, expiresAt: new Date(body.expiresAt) },
        );
        await auditorEvent.success({
          meta: { id: exemption.id, checkId: exemption.checkId },
        });
        res.status(201).json(exemption);
      },
    );
  });

  router.post('/check-exemptions/:id/decision', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      {
        eventId: 'check-exemption-decision',
        severityLevel: 'high',
        meta: { id: req.params.id },
      },
      async auditorEvent => {
        const body = parse(decisionBody, req.body);
        await access.requireSecurityTeam(
          credentials,
          'approve or reject exemptions',
        );
        const exemption = await deps.checkExemptions.decide(req.params.id, {
          decision: body.decision,
          decidedBy: access.caller(credentials).principal,
          comment: body.comment,
        });
        await auditorEvent.success({ meta: { decision: body.decision } });
        res.json(exemption);
      },
    );
  });

  /** Team-level scores only: every signed-in person may see them. */
  router.get('/scorecards/leaderboard', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const page = parse(postureQuery, req.query);
    res.json(await deps.scorecards.leaderboard(page, new Date()));
  });

  router.get('/groups/:namespace/:name/scorecard', async (req, res) => {
    const credentials = await userOrService(req);
    const groupRef = entityRefOf({ kind: 'group', ...req.params });
    res.json(await reader.groupScorecard(credentials, groupRef));
  });

  /** The gate CI asks before it ships: pass or fail, with the reasons. */
  router.post('/gate', async (req, res) => {
    const credentials = await userOrService(req);
    const meta = { entityRef: String(req.body?.entityRef ?? '').slice(0, 300) };
    await audited(
      req,
      { eventId: 'gate-decision', severityLevel: 'medium', meta },
      async auditorEvent => {
        const body = parse(gateBody, req.body);
        const entityRef = entityRefOf(body.entityRef);
        // A person asks with read access; a machine must be the entity's
        // own CI (or hold secops.upload).
        const caller = await access.authorize(
          credentials,
          credentials.principal.type === 'user'
            ? secopsFindingsReadPermission
            : secopsReportUploadPermission,
          entityRef,
        );
        const entity = await access.requireEntity(entityRef);
        const previous = await deps.gate.lastDecision(entityRef);
        const decision = await deps.gate.decide(entity, {
          commitSha: body.commit,
          branch: body.branch,
          requestedBy: caller.principal,
        });
        const { gate, passed, decisionId } = decision;
        await auditorEvent.success({ meta: { gate, passed, decisionId } });
        // The owning team hears when the gate starts failing.
        await deps.notices.gateDecided(entity, previous, decision);
        res.json(decision);
      },
    );
  });

  router.get(`${entityPath}/gate`, async (req, res) => {
    const { credentials, entityRef } = await readEntity(req);
    res.json(await reader.entityGate(credentials, entityRef));
  });

  router.post('/findings/assignments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      { eventId: 'finding-assign', severityLevel: 'medium' },
      async auditorEvent => {
        const body = parse(assignmentBody, req.body);
        const result = await deps.assignments.assign(credentials, body);
        await auditorEvent.success({
          meta: { assignee: result.assignee, changed: result.changed },
        });
        res.json({ ...result });
      },
    );
  });

  router.post('/findings/tickets', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      { eventId: 'finding-ticket-open', severityLevel: 'medium' },
      async auditorEvent => {
        const body = parse(ticketBody, req.body);
        const result = await deps.tickets.open(credentials, body);
        await auditorEvent.success({
          meta: {
            tickets: result.tickets.map(t => ({
              url: t.ticket.url,
              created: t.created,
              findingIds: t.findingIds,
            })),
          },
        });
        res.json(result);
      },
    );
  });

  router.post('/findings/:id/exemptions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const meta = { findingId: req.params.id };
    await audited(
      req,
      { eventId: 'exemption-request', severityLevel: 'medium', meta },
      async auditorEvent => {
        const body = parse(exemptionBody, req.body);
        const exemption = await deps.exemptionRequests.request(
          credentials,
          req.params.id,
          {
            justification: body.justification,
            expiresAt: new Date(body.expiresAt),
          },
        );
        await auditorEvent.success({
          meta: { exemptionId: exemption.id, entityRef: exemption.entityRef },
        });
        await deps.signals?.changed([exemption.entityRef], 'exemption');
        res.status(201).json(exemption);
      },
    );
  });

  router.post('/exemptions/:id/decision', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const meta = { exemptionId: req.params.id };
    await audited(
      req,
      { eventId: 'exemption-decision', severityLevel: 'high', meta },
      async auditorEvent => {
        const body = parse(decisionBody, req.body);
        await access.requireSecurityTeam(
          credentials,
          'approve or reject exemptions',
        );
        const exemption = await deps.exemptions.decide(req.params.id, {
          decision: body.decision,
          decidedBy: access.caller(credentials).principal,
          comment: body.comment,
        });
        await auditorEvent.success({ meta: { decision: body.decision } });
        await deps.signals?.changed([exemption.entityRef], 'exemption');
        res.json(exemption);
      },
    );
  });

  router.get('/off-path-exceptions', async (req, res) => {
    const credentials = await userOrService(req);
    const query = parse(offPathListQuery, req.query);
    res.json(await deps.offPath.list(credentials, query));
  });

  router.get('/off-path-exceptions/admission', async (req, res) => {
    const credentials = await userOrService(req);
    res.json(await deps.offPath.admission(credentials));
  });

  router.post('/off-path-exceptions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const meta = { entityRef: String(req.body?.entityRef ?? '').slice(0, 300) };
    await audited(
      req,
      { eventId: 'off-path-exception-request', severityLevel: 'medium', meta },
      async auditorEvent => {
        const body = parse(offPathBody, req.body);
        const exception = await deps.offPath.request(credentials, {
          ...body,
          entityRef: entityRefOf(body.entityRef),
          expiresAt: new Date(body.expiresAt),
        });
        await auditorEvent.success({
          meta: {
            exceptionId: exception.id,
            namespace: exception.namespace,
            workload: exception.workload,
          },
        });
        res.status(201).json(exception);
      },
    );
  });

  router.post('/off-path-exceptions/:id/decision', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const meta = { exceptionId: req.params.id };
    await audited(
      req,
      { eventId: 'off-path-exception-decision', severityLevel: 'high', meta },
      async auditorEvent => {
        const body = parse(decisionBody, req.body);
        const exception = await deps.offPath.decide(
          credentials,
          req.params.id,
          body,
        );
        await auditorEvent.success({ meta: { decision: body.decision } });
        res.json(exception);
      },
    );
  });

  router.get(`${entityPath}/trend`, async (req, res) => {
    const { credentials, entityRef, query } = await readEntity(req, trendQuery);
    res.json({
      items: await reader.entityTrend(credentials, entityRef, query.days),
    });
  });

  router.get(`${entityPath}/exemptions`, async (req, res) => {
    const { credentials, entityRef, query } = await readEntity(req, pageQuery);
    res.json(await reader.entityExemptions(credentials, entityRef, query));
  });

  router.get('/groups/:namespace/:name/trend', async (req, res) => {
    const credentials = await userOrService(req);
    const groupRef = entityRefOf({ kind: 'group', ...req.params });
    const { days } = parse(trendQuery, req.query);
    res.json({ items: await reader.groupTrend(credentials, groupRef, days) });
  });

  /**
   * A manager's view: every component, resource and system the group and its
   * sub-groups own, worst first, with what the viewer may see.
   */
  router.get('/groups/:namespace/:name/posture', async (req, res) => {
    const credentials = await userOrService(req);
    const groupRef = entityRefOf({ kind: 'group', ...req.params });
    const query = parse(postureQuery, req.query);
    res.json(await reader.groupPosture(credentials, groupRef, query));
  });

  /**
   * The home page's widget, in one call: each of the signed-in person's
   * teams with its totals (what they may see), and the components of those
   * teams whose release gate fails now.
   */
  router.get('/me/summary', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await reader.mySummary(credentials));
  });

  /** Who may read the gate policies: every person, granted machines. */
  async function gatePolicyReader(req: Req) {
    const credentials = await userOrService(req);
    access.requireMachineGrant(
      credentials,
      'secops.read',
      'read gate policies',
    );
  }

  router.get('/gate-policies', async (req, res) => {
    await gatePolicyReader(req);
    res.json(await deps.gatePolicies.current());
  });

  router.get('/gate-policies/history', async (req, res) => {
    await gatePolicyReader(req);
    const cursor = String(req.query.cursor ?? '');
    if (cursor && !/^\d{1,9}$/.test(cursor)) {
      throw new InputError('cursor must be the nextCursor of a previous page');
    }
    const offset = Number(cursor || 0);
    const limit = Number(req.query.limit ?? 20);
    const page = await deps.gatePolicies.history({ offset, limit });
    const end = offset + page.items.length;
    res.json({
      ...page,
      nextCursor: end < page.totalCount ? String(end) : undefined,
    });
  });

  /** The security team saves the gate policies, as a new version. */
  router.put('/gate-policies', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await audited(
      req,
      {
        eventId: 'gate-policy-change',
        severityLevel: 'high',
        meta: { basedOn: req.body?.basedOn ?? null },
      },
      async auditorEvent => {
        await access.requireSecurityTeam(
          credentials,
          'change the gate policies',
          secopsGatePolicyManagePermission,
        );
        const saved = await deps.gatePolicies.change({
          policies: req.body.policies,
          reason: req.body.reason,
          basedOn: req.body.basedOn,
          changedBy: access.caller(credentials).principal,
        });
        await auditorEvent.success({
          meta: { version: saved.version, reason: saved.reason },
        });
        res.json(saved);
      },
    );
  });

  /** What a change would do, before it is saved: the security team's. */
  router.post('/gate-policies/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await access.requireSecurityTeam(
      credentials,
      'preview gate policies',
      secopsGatePolicyManagePermission,
    );
    res.json(await deps.gatePolicies.preview(req.body.policies));
  });

  /** Every team side by side: the SecOps organisation page. */
  router.get('/organisation/teams', async (req, res) => {
    const credentials = await organisationReader(req);
    res.json({ items: await reader.organisationTeams(credentials) });
  });

  router.get('/organisation/top-risks', async (req, res) => {
    const credentials = await organisationReader(req);
    const { limit } = parse(topRisksQuery, req.query);
    res.json({ items: await reader.topRisks(credentials, limit) });
  });

  /** Who is exposed to CVE-2021-44228? */
  router.get('/organisation/exposure', async (req, res) => {
    const credentials = await organisationReader(req);
    const { id, knownExploited } = parse(exposureQuery, req.query);
    const { items } = await reader.exposure(credentials, id, {
      scope: 'organisation',
      knownExploited,
    });
    res.json({ id, items });
  });

  /**
   * The SIEM export: events after `cursor`, oldest first, one OCSF JSON
   * object a line. The next cursor is in the X-Next-Cursor header; poll with
   * it to follow the log.
   */
  router.get('/export/events', async (req, res) => {
    const credentials = await userOrService(req);
    const auditorEvent = await auditor.createEvent({
      eventId: 'siem-export',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const caller = access.requireMachineGrant(
        credentials,
        'secops.export',
        'export security events',
      );
      if (caller.type === 'user') {
        await access.requireSecurityTeam(
          credentials,
          'export security events',
          secopsOrganisationReadPermission,
        );
      }
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
    const query = parse(exportQuery, req.query);
    const { ndjson, count, next } = await deps.eventExport.export(query);
    await auditorEvent.success({ meta: { events: count, next } });
    res.setHeader('content-type', 'application/x-ndjson');
    res.setHeader('x-next-cursor', next);
    res.send(ndjson);
  });

  /** How far each SIEM webhook got, and its retry state. */
  router.get('/export/webhooks', async (req, res) => {
    await reader.requireOrganisationReader(
      await organisationReader(req),
      'see the SIEM deliveries',
    );
    const deliveries = await deps.eventExport.webhookDeliveries();
    res.json({
      items: deliveries.map(d => ({
        ...d,
        nextAttemptAt: d.nextAttemptAt?.toISOString(),
        updatedAt: d.updatedAt?.toISOString(),
      })),
    });
  });

  /** Whether KEV and EPSS are imported, and what each last import brought. */
  router.get('/exploitability', async (req, res) => {
    await userOrService(req);
    res.json(await deps.exploitability.status());
  });

  router.get('/formats', async (req, res) => {
    await userOrService(req);
    res.json({ items: ingester.formats, builtIn: [...REPORT_FORMATS] });
  });

  return router;
}
