/*
 * The contract: src/schema/openapi.yaml and the router agree. Every route
 * the router serves is an operation of the spec and every operation is
 * served; real responses of the plugin (started as in the plugin's tests,
 * with a report uploaded, a gate asked and an exemption requested and
 * decided, so lists carry values), one for each status the spec documents,
 * validate against the spec's schema for that status; and the generated
 * code (the spec as TypeScript here, the client and models in
 * @portal/plugin-secops-common) is what `yarn generate:openapi` makes of
 * the spec today.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  describeGeneratedCode,
  expectServesSpec,
  openApiContract,
} from '@portal/test-utils/openapi';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createRouter, RouterOptions } from '../api/router';
import { EventExport } from '../service/EventExport';
import { ExemptionService } from '../service/ExemptionService';
import { FindingService } from '../service/FindingService';
import { GatePolicies } from '../service/GatePolicies';
import { OffPathExceptions } from '../service/OffPathExceptions';
import { GateService } from '../service/GateService';
import { PostureService } from '../service/PostureService';
import { ReportIngester } from '../service/ReportIngester';
import { SecopsAccess } from '../service/SecopsAccess';
import { SecopsOptions } from '../service/options';
import { SecopsReader } from '../service/SecopsReader';
import { ExploitabilityImporter } from '../exploitability/ExploitabilityImporter';
import {
  cart,
  fixture,
  fixturePath,
  machineConfig,
  machineHeader,
  payments,
  securityLead,
  start,
  trivyQuery,
  upload,
} from '../__testUtils__/backend';
import { ExemptionRequests } from '../service/ExemptionRequests';
import { FindingAssignments } from '../service/FindingAssignments';
import { FindingTickets } from '../service/FindingTickets';
import { Scorecards } from '../scorecards/Scorecards';
import { Compliance } from '../compliance/Compliance';
import { Campaigns } from '../service/Campaigns';
import { CheckExemptions } from '../service/CheckExemptions';
import { fakeGithubIssues } from '../__testUtils__/fakeGithubIssues';
import { FindingNotices } from '../service/FindingNotices';
import { spec } from './openapi';

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    const options: RouterOptions = {
      httpAuth: mockServices.httpAuth(),
      auditor: mockServices.auditor.mock(),
      access: {} as SecopsAccess,
      ingester: {} as ReportIngester,
      findings: {} as FindingService,
      posture: {} as PostureService,
      gate: {} as GateService,
      exemptions: {} as ExemptionService,
      exemptionRequests: {} as ExemptionRequests,
      assignments: {} as FindingAssignments,
      tickets: {} as FindingTickets,
      scorecards: {} as Scorecards,
      compliance: {} as Compliance,
      campaigns: {} as Campaigns,
      checkExemptions: {} as CheckExemptions,
      notices: {} as FindingNotices,
      gatePolicies: {} as GatePolicies,
      eventExport: {} as EventExport,
      reader: {} as SecopsReader,
      exploitability: {} as ExploitabilityImporter,
      offPath: {} as OffPathExceptions,
      options: {} as SecopsOptions,
    };
    expectServesSpec(await createRouter(options), spec);
  });

  describe('answers what the spec says', () => {
    const contract = openApiContract(spec, '/api/secops');
    const NONE = mockCredentials.none.header();
    /** A service token granted nothing and bound to no repository. */
    const UNGRANTED = mockCredentials.service.header();
    /** A machine granted secops.read and secops.upload. */
    const SCANNER = machineHeader('security-scanner');
    const SIEM = machineHeader('siem');
    const report = fixture('trivy/trivy-alpine-310-image.json');

    it('on every route, with values', async () => {
      const github = await fakeGithubIssues();
      const server = await start({
        entities: [
          {
            ...payments,
            metadata: {
              ...payments.metadata,
              annotations: {
                ...payments.metadata.annotations,
                'github.com/project-slug': 'acme-commerce/payments-api',
              },
            },
          },
          cart,
        ],
        config: {
          ...machineConfig,
          integrations: github.integrations,
          secops: {
            limits: { maxCompressedBytes: 1024 * 1024 },
            // KEV and EPSS from fixtures/, imported at start, so that
            // findings carry their EPSS scores.
            exploitability: {
              kevFile: fixturePath(
                'kev/known_exploited_vulnerabilities.excerpt.json',
              ),
              epssFile: fixturePath('epss/epss_scores-2026-09-29.excerpt.csv'),
              schedule: { frequency: { hours: 24 }, timeout: { minutes: 5 } },
            },
          },
        },
      });
      const get = (url: string, authorization?: string) => {
        const req = request(server).get(`/api/secops${url}`);
        return contract.send(
          authorization ? req.set('authorization', authorization) : req,
        );
      };
      const post = (url: string, body?: object, authorization?: string) => {
        let req = request(server).post(`/api/secops${url}`);
        if (authorization) req = req.set('authorization', authorization);
        return contract.send(body ? req.send(body) : req);
      };
      const uploadAs = (
        query: Record<string, string>,
        authorization?: string,
        body: Buffer | string = report,
      ) => {
        let req = request(server)
          .post('/api/secops/reports')
          .query(query)
          .set('content-type', 'application/octet-stream');
        if (authorization) req = req.set('authorization', authorization);
        return contract.send(req.send(body));
      };

      // Uploads: 201 as CI sends them (the entity ref unencoded, as curl
      // does), compressed, and under a Content-Type the spec does not name.
      const uploaded = await contract.send(
        request(server)
          .post(
            `/api/secops/reports?entityRef=${trivyQuery.entityRef}&tool=trivy&commit=a1b2c3d4e5f6&branch=feature/x`,
          )
          .set('content-type', 'application/octet-stream')
          .send(report),
      );
      expect(uploaded.status).toBe(201);
      expect(uploaded.body.created).toBeGreaterThan(0);
      const gzipped = await contract.send(
        request(server)
          .post('/api/secops/reports')
          .query({ ...trivyQuery, tool: 'trivy-gzip' })
          .set('content-type', 'application/octet-stream')
          .set('content-encoding', 'gzip')
          .send(gzipSync(report)),
      );
      expect(gzipped.status).toBe(201);
      // JSON, read raw by the route (not by the JSON routes' parser).
      const json = await contract.send(
        request(server)
          .post('/api/secops/reports')
          .query({ ...trivyQuery, tool: 'trivy-json' })
          .set('content-type', 'application/json')
          .send(report.toString()),
      );
      expect(json.status).toBe(201);
      expect(json.body.created).toBe(uploaded.body.created);
      const csv = await contract.send(
        request(server)
          .post('/api/secops/reports')
          .query({ ...trivyQuery, tool: 'trivy-csv' })
          .set('content-type', 'text/csv')
          .send(report),
      );
      expect(csv.status).toBe(201);
      expect((await uploadAs({ ...trivyQuery, x: '1' })).status).toBe(400);
      expect((await uploadAs({ ...trivyQuery, format: 'pdf' })).status).toBe(
        400,
      );
      expect((await uploadAs(trivyQuery, NONE)).status).toBe(401);
      expect((await uploadAs(trivyQuery, UNGRANTED)).status).toBe(403);
      const ghostQuery = {
        ...trivyQuery,
        entityRef: 'component:default/ghost',
      };
      expect((await uploadAs(ghostQuery)).status).toBe(404);
      const big = await contract.send(
        request(server)
          .post('/api/secops/reports')
          .query(trivyQuery)
          .set('content-type', 'application/octet-stream')
          .send(Buffer.alloc(2 * 1024 * 1024, ' ')),
      );
      expect(big.status).toBe(413);

      // An entity's reads.
      const entity = '/entities/component/default/payments-api';
      const ghost = '/entities/component/default/ghost';
      const findings = await get(
        `${entity}/findings?severity=critical,medium&category=sca&limit=5`,
      );
      expect(findings.status).toBe(200);
      expect(findings.body.items.length).toBeGreaterThan(0);
      const findingId = findings.body.items[0].id;
      // Scorecards: evaluated by the security team (a person), so that the
      // reads below carry values.
      expect(
        (await post('/scorecards/evaluations', undefined, NONE)).status,
      ).toBe(401);
      expect(
        (await post('/scorecards/evaluations', undefined, SCANNER)).status,
      ).toBe(403);
      const evaluated = await post('/scorecards/evaluations');
      expect(evaluated.status).toBe(200);
      expect(evaluated.body.entities).toBeGreaterThan(0);
      const checks = await get('/scorecards/checks');
      expect(checks.status).toBe(200);
      expect(checks.body.items.length).toBeGreaterThan(5);
      expect((await get('/scorecards/checks?x=1')).status).toBe(400);
      expect((await get('/scorecards/checks', NONE)).status).toBe(401);
      // Campaigns: started by the security team, read by people.
      const campaign = {
        title: 'Production at silver',
        targetLevel: 'silver',
        match: { lifecycle: ['production'] },
        dueDate: new Date(Date.now() + 90 * 86_400_000)
          .toISOString()
          .slice(0, 10),
      };
      const started = await post('/campaigns', campaign);
      expect(started.status).toBe(201);
      for (const [body, authorization, status] of [
        [{ ...campaign, dueDate: '2001-01-01' }, undefined, 400],
        [campaign, NONE, 401],
        [campaign, SCANNER, 403],
        [{ ...campaign, title: 'x'.repeat(70 * 1024) }, undefined, 413],
      ] as const) {
        expect((await post('/campaigns', body, authorization)).status).toBe(
          status,
        );
      }
      expect((await get('/campaigns')).status).toBe(200);
      expect((await get('/campaigns?x=1')).status).toBe(400);
      expect((await get('/campaigns', NONE)).status).toBe(401);
      expect((await get('/campaigns', SCANNER)).status).toBe(403);
      const one = `/campaigns/${started.body.id}`;
      expect((await get(one)).status).toBe(200);
      expect((await get(`${one}?x=1`)).status).toBe(400);
      expect((await get(one, NONE)).status).toBe(401);
      expect((await get(one, SCANNER)).status).toBe(403);
      expect((await get('/campaigns/nope')).status).toBe(404);

      // Check exemptions: asked by the owners, decided by someone else of
      // the security team.
      const checkExemption = {
        checkId: 'owner-and-docs',
        justification: 'Its docs move to the wiki before the end',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      };
      const exemptionsUrl = `${entity}/check-exemptions`;
      const checkAsked = await post(exemptionsUrl, checkExemption);
      expect(checkAsked.status).toBe(201);
      for (const [url, body, authorization, status] of [
        [exemptionsUrl, { ...checkExemption, checkId: 'nope' }, undefined, 400],
        [exemptionsUrl, checkExemption, NONE, 401],
        [exemptionsUrl, checkExemption, SCANNER, 403],
        [`${ghost}/check-exemptions`, checkExemption, undefined, 404],
        [exemptionsUrl, checkExemption, undefined, 409],
        [
          exemptionsUrl,
          { ...checkExemption, justification: 'x'.repeat(70 * 1024) },
          undefined,
          413,
        ],
      ] as const) {
        expect((await post(url, body, authorization)).status).toBe(status);
      }
      expect((await get(exemptionsUrl)).status).toBe(200);
      expect((await get(`${exemptionsUrl}?x=1`)).status).toBe(400);
      expect((await get(exemptionsUrl, NONE)).status).toBe(401);
      expect((await get(exemptionsUrl, UNGRANTED)).status).toBe(403);
      expect((await get(`${ghost}/check-exemptions`, SCANNER)).status).toBe(
        404,
      );
      const checkDecision = `/check-exemptions/${checkAsked.body.id}/decision`;
      for (const [url, body, authorization, status] of [
        [checkDecision, { decision: 'maybe' }, securityLead, 400],
        [checkDecision, { decision: 'approve' }, NONE, 401],
        [checkDecision, { decision: 'approve' }, undefined, 403],
        [
          '/check-exemptions/00000000-0000-0000-0000-000000000000/decision',
          { decision: 'approve' },
          securityLead,
          404,
        ],
        [checkDecision, { decision: 'approve' }, securityLead, 200],
        [checkDecision, { decision: 'reject' }, securityLead, 409],
        [
          checkDecision,
          { decision: 'approve', comment: 'x'.repeat(70 * 1024) },
          securityLead,
          413,
        ],
      ] as const) {
        expect((await post(url, body, authorization)).status).toBe(status);
      }

      // Compliance: frameworks, statuses, the evidence export.
      const frameworks = await get('/compliance/frameworks');
      expect(frameworks.status).toBe(200);
      expect((await get('/compliance/frameworks?x=1')).status).toBe(400);
      expect((await get('/compliance/frameworks', NONE)).status).toBe(401);
      for (const [url, authorization, status] of [
        ['/compliance/frameworks/soc2', undefined, 200],
        [
          '/compliance/frameworks/soc2?groupRef=group:default/team-checkout',
          undefined,
          200,
        ],
        [
          '/compliance/frameworks/hitrust?entityRef=component:default/payments-api',
          undefined,
          200,
        ],
        ['/compliance/frameworks/soc2?x=1', undefined, 400],
        ['/compliance/frameworks/soc2', NONE, 401],
        ['/compliance/frameworks/soc2', SCANNER, 200],
        ['/compliance/frameworks/soc2', UNGRANTED, 403],
        ['/compliance/frameworks/iso27001', undefined, 404],
        ['/compliance/frameworks/soc2/evidence?day=x', undefined, 400],
        ['/compliance/frameworks/soc2/evidence', NONE, 401],
        ['/compliance/frameworks/soc2/evidence', SCANNER, 403],
        ['/compliance/frameworks/soc2/evidence?day=2001-01-01', undefined, 404],
      ] as const) {
        expect((await get(url, authorization)).status).toBe(status);
      }
      const evidence = await contract.send(
        request(server)
          .get('/api/secops/compliance/frameworks/soc2/evidence')
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done(null, Buffer.concat(chunks)));
          }),
      );
      expect(evidence.status).toBe(200);
      for (const url of [
        'findings',
        'summary',
        'scorecard',
        'gate',
        'trend',
        'exemptions',
      ]) {
        expect((await get(`${entity}/${url}`)).status).toBe(200);
        // An unknown parameter, no credentials, a machine granted nothing.
        expect((await get(`${entity}/${url}?sort=x`)).status).toBe(400);
        expect((await get(`${entity}/${url}`, NONE)).status).toBe(401);
        expect((await get(`${entity}/${url}`, UNGRANTED)).status).toBe(403);
        // The catalog does not have it: a machine is told so, and a person
        // asking about the gate.
        expect((await get(`${ghost}/${url}`, SCANNER)).status).toBe(404);
      }
      expect((await get(`${ghost}/gate`)).status).toBe(404);
      const byEpss = await get(
        `${entity}/findings?sort=epss&knownExploited=false&limit=2`,
      );
      expect(byEpss.status).toBe(200);
      expect(byEpss.body.items[0].epss).toEqual({
        score: expect.any(Number),
        percentile: expect.any(Number),
      });
      expect(
        (await get(`${entity}/findings?knownExploited=maybe`)).status,
      ).toBe(400);
      expect((await get(`${entity}/findings?limit=501`)).status).toBe(400);
      expect((await get(`${entity}/findings?severity=urgent`)).status).toBe(
        400,
      );
      expect((await get(`${entity}/trend?days=1`)).status).toBe(400);
      expect((await get(`${entity}/exemptions?limit=201`)).status).toBe(400);

      // The gate CI asks.
      const gate = await post('/gate', { entityRef: trivyQuery.entityRef });
      expect(gate.status).toBe(200);
      expect(gate.body.decisionId).toEqual(expect.any(String));
      expect((await get(`${entity}/gate`)).body.last).toMatchObject({
        decisionId: gate.body.decisionId,
      });
      expect((await post('/gate', { entityRef: 42 })).status).toBe(400);
      expect(
        (await post('/gate', { entityRef: trivyQuery.entityRef }, NONE)).status,
      ).toBe(401);
      expect(
        (await post('/gate', { entityRef: trivyQuery.entityRef }, UNGRANTED))
          .status,
      ).toBe(403);
      expect(
        (await post('/gate', { entityRef: 'component:default/ghost' })).status,
      ).toBe(404);
      const tooLarge = { entityRef: 'x'.repeat(70 * 1024) };
      expect((await post('/gate', tooLarge)).status).toBe(413);

      // Exemptions: requested by the default user, decided by another.
      const exemption = {
        justification: 'Not reachable from the internet.',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      };
      const requested = await post(
        `/findings/${findingId}/exemptions`,
        exemption,
      );
      expect(requested.status).toBe(201);
      const exemptionId = requested.body.id;
      for (const [body, authorization, status] of [
        [exemption, undefined, 409],
        [{ ...exemption, approve: true }, undefined, 400],
        [exemption, NONE, 401],
        [exemption, SCANNER, 403],
        [
          { ...exemption, justification: 'x'.repeat(70 * 1024) },
          undefined,
          413,
        ],
      ] as const) {
        expect(
          (await post(`/findings/${findingId}/exemptions`, body, authorization))
            .status,
        ).toBe(status);
      }
      expect(
        (await post('/findings/999999/exemptions', exemption)).status,
      ).toBe(404);
      // Assignment: taken back (nobody), refused, unknown, too large.
      for (const [body, authorization, status] of [
        [{ findingIds: [findingId], assignee: null }, undefined, 200],
        [{ findingIds: [], assignee: null }, undefined, 400],
        [{ findingIds: [findingId], assignee: null }, NONE, 401],
        [{ findingIds: [findingId], assignee: null }, SCANNER, 403],
        [{ findingIds: ['999999'], assignee: null }, undefined, 404],
        [
          { findingIds: [findingId], assignee: 'x'.repeat(70 * 1024) },
          undefined,
          413,
        ],
      ] as const) {
        expect(
          (await post('/findings/assignments', body, authorization)).status,
        ).toBe(status);
      }
      // GitHub issues: opened, refused, unknown, too large, and GitHub
      // out of reach (its server stopped) for another advisory.
      const otherRule = findings.body.items.find(
        (f: { ruleId: string }) => f.ruleId !== findings.body.items[0].ruleId,
      );
      expect(otherRule).toBeDefined();
      for (const [body, authorization, status] of [
        [{ findingIds: [findingId] }, undefined, 200],
        [{ findingIds: [] }, undefined, 400],
        [{ findingIds: [findingId] }, NONE, 401],
        [{ findingIds: [findingId] }, SCANNER, 403],
        [{ findingIds: ['999999'] }, undefined, 404],
        [{ findingIds: ['1'.repeat(70 * 1024)] }, undefined, 413],
      ] as const) {
        expect(
          (await post('/findings/tickets', body, authorization)).status,
        ).toBe(status);
      }
      github.close();
      expect(
        (await post('/findings/tickets', { findingIds: [otherRule.id] }))
          .status,
      ).toBe(503);
      const decision = `/exemptions/${exemptionId}/decision`;
      // Who asked may not decide.
      expect((await post(decision, { decision: 'approve' })).status).toBe(403);
      expect(
        (await post(decision, { decision: 'maybe' }, securityLead)).status,
      ).toBe(400);
      expect((await post(decision, { decision: 'approve' }, NONE)).status).toBe(
        401,
      );
      expect(
        (await post(decision, { comment: 'x'.repeat(70 * 1024) }, securityLead))
          .status,
      ).toBe(413);
      const decided = await post(
        decision,
        { decision: 'approve', comment: 'Fine for a week.' },
        securityLead,
      );
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'approved', active: true });
      expect(
        (await post(decision, { decision: 'reject' }, securityLead)).status,
      ).toBe(409);
      expect(
        (
          await post(
            '/exemptions/00000000-0000-0000-0000-000000000000/decision',
            { decision: 'approve' },
            securityLead,
          )
        ).status,
      ).toBe(404);
      const exemptions = await get(`${entity}/exemptions`);
      expect(exemptions.body.items).toHaveLength(1);

      // Off-path exceptions: asked by the default user, decided by another.
      const offPath = {
        entityRef: 'component:default/payments-api',
        namespace: 'ml-lab',
        workload: 'gpu-notebook',
        reason: 'A GPU driver the golden path does not have yet',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      };
      const asked = await post('/off-path-exceptions', offPath);
      expect(asked.status).toBe(201);
      for (const [body, authorization, status] of [
        [offPath, undefined, 409],
        [{ ...offPath, namespace: 'Not A Namespace' }, undefined, 400],
        [offPath, NONE, 401],
        [offPath, SCANNER, 403],
        [{ ...offPath, entityRef: 'component:default/ghost' }, undefined, 404],
        [{ ...offPath, reason: 'x'.repeat(70 * 1024) }, undefined, 413],
      ] as const) {
        expect(
          (await post('/off-path-exceptions', body, authorization)).status,
        ).toBe(status);
      }
      const offPathDecision = `/off-path-exceptions/${asked.body.id}/decision`;
      for (const [body, authorization, status] of [
        [{ decision: 'approve' }, undefined, 403],
        [{ decision: 'maybe' }, securityLead, 400],
        [{ decision: 'approve' }, NONE, 401],
        [{ comment: 'x'.repeat(70 * 1024) }, securityLead, 413],
        [{ decision: 'approve' }, securityLead, 200],
        [{ decision: 'reject' }, securityLead, 409],
      ] as const) {
        expect((await post(offPathDecision, body, authorization)).status).toBe(
          status,
        );
      }
      expect(
        (
          await post(
            '/off-path-exceptions/00000000-0000-0000-0000-000000000000/decision',
            { decision: 'approve' },
            securityLead,
          )
        ).status,
      ).toBe(404);
      const register = await get('/off-path-exceptions?state=active');
      expect(register.status).toBe(200);
      expect(register.body.items[0]).toMatchObject({
        state: 'active',
        owner: 'group:default/team-checkout',
      });
      expect((await get('/off-path-exceptions?state=gone')).status).toBe(400);
      expect((await get('/off-path-exceptions', NONE)).status).toBe(401);
      expect((await get('/off-path-exceptions', SIEM)).status).toBe(403);
      const bindings = await get('/off-path-exceptions/admission', SCANNER);
      expect(bindings.status).toBe(200);
      expect(bindings.body.items).toHaveLength(2);
      expect((await get('/off-path-exceptions/admission', NONE)).status).toBe(
        401,
      );
      expect((await get('/off-path-exceptions/admission', SIEM)).status).toBe(
        403,
      );

      // A group's views, the home page's and the organisation's.
      const group = '/groups/default/team-checkout';
      const readRoutes = [
        `${group}/trend`,
        `${group}/posture`,
        `${group}/scorecard`,
        '/scorecards/leaderboard',
        '/me/summary',
        '/organisation/teams',
        '/organisation/top-risks',
        '/organisation/exposure?id=CVE-2019-1549',
        '/organisation/exposure?id=libssl1.1&knownExploited=false',
        '/export/webhooks',
      ];
      for (const url of readRoutes) {
        expect((await get(url)).status).toBe(200);
        const unknown = `${url}${url.includes('?') ? '&' : '?'}sort=x`;
        expect((await get(unknown)).status).toBe(400);
        expect((await get(url, NONE)).status).toBe(401);
        expect((await get(url, UNGRANTED)).status).toBe(403);
      }
      const topRisks = await get('/organisation/top-risks?limit=2');
      expect(topRisks.body.items).toHaveLength(2);
      expect((await get(`${group}/posture?offset=-1`)).status).toBe(400);
      expect((await get('/organisation/exposure?id=ab')).status).toBe(400);

      // The SIEM export: NDJSON with the next cursor.
      const exported = await get('/export/events?limit=2', SIEM);
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toMatch(
        /^application\/x-ndjson/,
      );
      expect(exported.headers['x-next-cursor']).toMatch(/^\d+$/);
      expect((await get('/export/events?cursor=x', SIEM)).status).toBe(400);
      expect((await get('/export/events', NONE)).status).toBe(401);
      expect((await get('/export/events', UNGRANTED)).status).toBe(403);

      const exploitability = await get('/exploitability');
      expect(exploitability.status).toBe(200);
      expect(exploitability.body.sources).toHaveLength(2);
      expect((await get('/exploitability?x=1')).status).toBe(400);
      expect((await get('/exploitability', NONE)).status).toBe(401);

      const formats = await get('/formats');
      expect(formats.status).toBe(200);
      expect(formats.body.builtIn).toContain('sarif');
      expect((await get('/formats?x=1')).status).toBe(400);
      expect((await get('/formats', NONE)).status).toBe(401);
    }, 120_000);

    it('on the gate policies', async () => {
      const server = await start({ config: machineConfig });
      await upload(server, trivyQuery, report);
      const send = (
        method: 'get' | 'put' | 'post',
        url: string,
        body?: unknown,
        authorization?: string,
      ) => {
        let req = request(server)[method](`/api/secops${url}`);
        if (authorization) req = req.set('authorization', authorization);
        if (body !== undefined) {
          req = req
            .set('content-type', 'application/json')
            .send(typeof body === 'string' ? body : JSON.stringify(body));
        }
        return contract.send(req);
      };
      const strict = [
        { name: 'strict', match: {}, rules: [{ severity: 'low', maxOpen: 0 }] },
      ];

      const current = await send('get', '/gate-policies');
      expect(current.body).toMatchObject({ version: 0, source: 'config' });
      expect(
        (await send('get', '/gate-policies', undefined, NONE)).status,
      ).toBe(401);
      expect(
        (await send('get', '/gate-policies', undefined, UNGRANTED)).status,
      ).toBe(403);

      const preview = await send('post', '/gate-policies/preview', {
        policies: strict,
      });
      expect(preview.body).toMatchObject({ entities: 2, failingAfter: 1 });
      expect(
        (await send('post', '/gate-policies/preview', { policies: [] })).status,
      ).toBe(400);
      expect(
        (
          await send(
            'post',
            '/gate-policies/preview',
            { policies: strict },
            NONE,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await send(
            'post',
            '/gate-policies/preview',
            { policies: strict },
            UNGRANTED,
          )
        ).status,
      ).toBe(403);

      const change = {
        policies: strict,
        reason: 'Stricter for the audit',
        basedOn: 0,
      };
      const saved = await send('put', '/gate-policies', change, securityLead);
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        version: 1,
        changedBy: 'user:default/security-lead',
      });
      expect((await send('put', '/gate-policies', change)).status).toBe(409);
      expect(
        (await send('put', '/gate-policies', { ...change, basedOn: -1 }))
          .status,
      ).toBe(400);
      expect((await send('put', '/gate-policies', change, NONE)).status).toBe(
        401,
      );
      expect(
        (await send('put', '/gate-policies', change, UNGRANTED)).status,
      ).toBe(403);
      expect(
        (
          await send('put', '/gate-policies', {
            ...change,
            reason: 'x'.repeat(70_000),
          })
        ).status,
      ).toBe(413);

      const history = await send('get', '/gate-policies/history?limit=1');
      expect(history.body).toMatchObject({ totalCount: 1 });
      expect((await send('get', '/gate-policies/history?limit=0')).status).toBe(
        400,
      );
      expect(
        (await send('get', '/gate-policies/history', undefined, NONE)).status,
      ).toBe(401);
      expect(
        (await send('get', '/gate-policies/history', undefined, UNGRANTED))
          .status,
      ).toBe(403);
    }, 120_000);

    it('leaves a refused upload unread and closes its connection', async () => {
      const server = await start({
        config: { secops: { limits: { maxCompressedBytes: 1024 } } },
      });
      const port = (server.address() as AddressInfo).port;
      // The body is announced larger than the limit and never sent: the
      // answer comes without it, so nothing buffered it.
      const answer = await new Promise<http.IncomingMessage>(
        (resolve, reject) => {
          const req = http.request({
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/api/secops/reports?entityRef=${trivyQuery.entityRef}&tool=trivy`,
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(10 * 1024 * 1024),
            },
          });
          req.on('response', resolve);
          req.on('error', reject);
          req.write('{"Results": [');
        },
      );
      expect(answer.statusCode).toBe(413);
      expect(answer.headers.connection).toBe('close');
      answer.resume();
    }, 120_000);

    it('for every status the spec documents but 500', () => {
      contract.expectEveryStatusChecked();
    });
  });
});

describeGeneratedCode('plugins/secops-backend', 'plugins/secops-common');
