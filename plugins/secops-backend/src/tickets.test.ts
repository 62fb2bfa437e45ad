/*
 * GitHub issues for findings: one per advisory per repository, linked both
 * ways, asked again without a second issue, refused before anything is sent
 * when any finding may not be ticketed, and the issue's state read back
 * without ever fixing the finding (GitHub's answers recorded in
 * fixtures/github/issues, served locally).
 */
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { testDatabaseIds } from '@portal/test-utils';
import request from 'supertest';
import {
  AuditRecord,
  cart,
  fixture,
  machineConfig,
  machineHeader,
  payments,
  start,
  trivyQuery,
  upload,
} from './__testUtils__/backend';
import { fakeGithubIssues } from './__testUtils__/fakeGithubIssues';
import { createSecopsStores } from './database/createSecopsStores';
import {
  FindingTickets,
  githubIssues,
  markdownCell,
} from './service/FindingTickets';
import { SecopsAccess } from './service/SecopsAccess';

const withSlug = (entity: typeof payments, slug: string) => ({
  ...entity,
  metadata: {
    ...entity.metadata,
    annotations: {
      ...entity.metadata.annotations,
      'github.com/project-slug': slug,
    },
  },
});

const findingsPath =
  '/api/secops/entities/component/default/payments-api/findings';

async function openFindings(server: any) {
  const res = await request(server).get(findingsPath).query({ limit: 200 });
  return res.body.items as Array<{
    id: string;
    ruleId: string;
    title: string;
    ticket?: { number: number; url: string; state: string };
  }>;
}

describe('GitHub issues for findings', () => {
  it('opens one issue per advisory, links it both ways, and opens nothing new when asked again', async () => {
    const github = await fakeGithubIssues();
    const audit: AuditRecord[] = [];
    try {
      const server = await start({
        audit,
        entities: [withSlug(payments, 'acme-commerce/payments-api'), cart],
        config: {
          app: { baseUrl: 'https://portal.acme.example' },
          integrations: github.integrations,
        },
      });
      await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      const all = await openFindings(server);
      // Two advisories, each in two packages (libcrypto1.1, libssl1.1): one
      // advisory whole, and one finding of the other.
      const byRule = new Map<string, string[]>();
      for (const f of all) {
        byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f.id]);
      }
      const [twice, other] = [...byRule];
      expect(twice[1]).toHaveLength(2);
      const ids = [...twice[1], other[1][0]];

      const res = await request(server)
        .post('/api/secops/findings/tickets')
        .send({ findingIds: ids });
      expect(res.status).toBe(200);
      expect(res.body.tickets).toHaveLength(2);
      expect(res.body.tickets.every((t: any) => t.created)).toBe(true);
      expect(github.issues).toHaveLength(2);
      const grouped = github.issues.find(i => i.body.includes(twice[0]))!;
      expect(grouped).toMatchObject({
        repository: 'acme-commerce/payments-api',
        labels: ['security'],
        authorization: 'token gh-test-token',
      });
      expect(grouped.title).toMatch(/^\[security\] .*\(2 places\)$/);
      // The issue links each finding's Security tab, and says what closes it.
      expect(grouped.body).toContain(
        '(https://portal.acme.example/catalog/default/component/payments-api/security)',
      );
      expect(grouped.body).toContain(`(#${twice[1][0]})`);
      expect(grouped.body).toContain(
        'Closing this issue does not mark the findings fixed',
      );

      // Each finding shows its issue.
      const after = await openFindings(server);
      const ticketed = after.filter(f => ids.includes(f.id));
      expect(ticketed.every(f => f.ticket?.state === 'open')).toBe(true);
      expect(ticketed[0].ticket!.url).toMatch(
        /^https:\/\/github\.com\/acme-commerce\/payments-api\/issues\/4[23]$/,
      );

      // Asked again for the same advisory: linked to
      // the open issue, nothing new on GitHub.
      const again = await request(server)
        .post('/api/secops/findings/tickets')
        .send({ findingIds: twice[1] });
      expect(again.status).toBe(200);
      expect(again.body.tickets).toEqual([
        expect.objectContaining({ created: false, ruleId: twice[0] }),
      ]);
      expect(github.issues).toHaveLength(2);
      expect(audit.filter(a => a.eventId === 'finding-ticket-open')).toEqual([
        { eventId: 'finding-ticket-open', status: 'succeeded' },
        { eventId: 'finding-ticket-open', status: 'succeeded' },
      ]);
    } finally {
      github.close();
    }
  }, 120_000);

  it('refuses, before anything reaches GitHub, what may not be ticketed, and says what GitHub refused', async () => {
    const github = await fakeGithubIssues();
    try {
      let deny = false;
      const server = await start({
        entities: [
          withSlug(payments, 'acme-commerce/payments-unreachable'),
          cart,
        ],
        config: { ...machineConfig, integrations: github.integrations },
        policy: name =>
          deny && name === 'secops.finding.assign'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      });
      await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      await upload(
        server,
        { ...trivyQuery, entityRef: 'component:default/cart-service' },
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      const [finding] = await openFindings(server);
      const cartFinding = (
        await request(server)
          .get('/api/secops/entities/component/default/cart-service/findings')
          .query({ limit: 1 })
      ).body.items[0];
      const post = (body: object, authorization?: string) => {
        const req = request(server).post('/api/secops/findings/tickets');
        return (
          authorization ? req.set('authorization', authorization) : req
        ).send(body);
      };

      const noSlug = await post({ findingIds: [finding.id, cartFinding.id] });
      expect(noSlug.status).toBe(400);
      expect(noSlug.body.error.message).toBe(
        'component:default/cart-service has no github.com/project-slug annotation (owner/name): there is no repository to open an issue in',
      );
      expect((await post({ findingIds: [] })).status).toBe(400);
      expect((await post({ findingIds: ['999999'] })).status).toBe(404);
      expect(
        (
          await post(
            { findingIds: [finding.id] },
            machineHeader('security-scanner'),
          )
        ).status,
      ).toBe(403);
      deny = true;
      const denied = await post({ findingIds: [finding.id] });
      expect(denied.status).toBe(403);
      deny = false;
      expect(github.issues).toHaveLength(0);

      // GitHub answers 404 for a repository the token does not reach.
      const refused = await post({ findingIds: [finding.id] });
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toMatch(
        /^GitHub did not open an issue in acme-commerce\/payments-unreachable: 404 Not Found/,
      );
      expect((await openFindings(server))[0].ticket).toBeUndefined();
    } finally {
      github.close();
    }
  }, 120_000);

  it('escapes report text in the issue: no mention pings anyone, no table breaks', () => {
    expect(markdownCell('@security-team | <img src=x> `x`\nnext')).toBe(
      "&#64;security-team \\| &lt;img src=x&gt; 'x' next",
    );
  });
});

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())(
  'the state of GitHub issues on %p',
  id => {
    it('reads each open issue back; a closed issue leaves its findings open', async () => {
      const github = await fakeGithubIssues();
      try {
        const knex = await databases.init(id);
        const stores = await createSecopsStores({
          database: mockServices.database({ knex }),
        });
        const ingested = await stores.findings.ingest(
          {
            entityRef: 'component:default/payments-api',
            tool: 'trivy',
            format: 'trivy',
            uploadedBy: 'user:default/ben-okafor',
            reportSha256: 'x',
            findings: [
              {
                fingerprint: 'fp-1',
                category: 'sca',
                severity: 'high',
                ruleId: 'CVE-2019-1549',
                title: 'openssl: information disclosure in fork()',
                packageName: 'libssl1.1',
              },
            ],
          },
          new Date('2026-12-01T00:00:00Z'),
        );
        expect(ingested.created).toBe(1);
        const [stored] = (
          await stores.findings.listFindings({
            entityRef: 'component:default/payments-api',
            limit: 10,
          })
        ).items;
        let clock = new Date('2026-12-07T08:00:00Z');
        const access = {
          caller: (credentials: any) => ({ type: 'user', credentials }),
          authorize: async () => undefined,
          requireEntity: async () =>
            withSlug(payments, 'acme-commerce/payments-api'),
        } as unknown as SecopsAccess;
        const tickets = new FindingTickets({
          access,
          findings: stores.findings,
          tickets: stores.tickets,
          issues: githubIssues(
            new ConfigReader({ integrations: github.integrations }),
          ),
          portalUrl: 'https://portal.acme.example',
          now: () => clock,
        });
        const opened = await tickets.open(
          mockCredentials.user('user:default/ben-okafor'),
          { findingIds: [stored.id] },
        );
        expect(opened.tickets[0]).toMatchObject({
          created: true,
          ticket: { number: 42, state: 'open', checkedAt: clock.toISOString() },
        });

        // Still open on GitHub: read, nothing changes but the time.
        clock = new Date('2026-12-08T08:00:00Z');
        expect(await tickets.refreshStates()).toBe(0);
        // Closed by a person on GitHub.
        github.issues[0].closed = true;
        clock = new Date('2026-12-09T17:00:00Z');
        expect(await tickets.refreshStates()).toBe(1);
        expect(github.reads()).toBe(2);
        const [after] = (
          await stores.findings.listFindings({
            entityRef: 'component:default/payments-api',
            limit: 10,
          })
        ).items;
        expect(after.status).toBe('open');
        expect(after.ticket).toMatchObject({
          state: 'closed',
          closedAt: '2026-12-09T16:30:00.000Z',
          checkedAt: '2026-12-09T17:00:00.000Z',
        });
        // Closed tickets are not read again; a new request opens a new one.
        expect(await tickets.refreshStates()).toBe(0);
        expect(github.reads()).toBe(2);
        const reopened = await tickets.open(
          mockCredentials.user('user:default/ben-okafor'),
          { findingIds: [stored.id] },
        );
        expect(reopened.tickets[0]).toMatchObject({
          created: true,
          ticket: { number: 43 },
        });
      } finally {
        github.close();
      }
    }, 120_000);
  },
);
