/*
 * The portal's actions over MCP (issue 14, item 1), end to end: the real
 * MCP actions plugin, the real actions registry and actions service, the
 * demo organisation, real sign-in tokens and the portal's policy. An MCP
 * session runs with the caller's credentials and the same permission
 * decisions as the pages; without a token it gets nothing.
 */
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import biPlugin from '@portal/plugin-bi-backend';
import finopsPlugin from '@portal/plugin-finops-backend';
import secopsPlugin from '@portal/plugin-secops-backend';
import srePlugin from '@portal/plugin-sre-backend';
import {
  DemoPortal,
  repoRoot,
  startDemoPortal,
  testDatabases,
} from './__testUtils__/demoPortal';
import path from 'node:path';
import request from 'supertest';
import { callTool, mcp } from './__testUtils__/mcp';
import {
  importBillingExport,
  syncSlos,
  uploadTrivyReport,
} from './__testUtils__/demoData';

describe.each(testDatabases())('MCP actions on %s', (_name, database) => {
  let portal: DemoPortal;

  beforeAll(async () => {
    portal = await startDemoPortal({
      database,
      features: [
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        mcpActionsPlugin,
        biPlugin,
        finopsPlugin,
        srePlugin,
        secopsPlugin,
      ],
      config: {
        backend: {
          database,
          actions: { pluginSources: ['bi', 'sre', 'secops', 'finops'] },
        },
        secops: {
          // KEV and EPSS from the excerpts in fixtures/, imported at start
          // (no initial delay: the test backend's scheduler runs it then).
          exploitability: {
            kevFile: path.join(
              repoRoot,
              'fixtures/kev/known_exploited_vulnerabilities.excerpt.json',
            ),
            epssFile: path.join(
              repoRoot,
              'fixtures/epss/epss_scores-2026-09-29.excerpt.csv',
            ),
            schedule: { frequency: { hours: 24 }, timeout: { minutes: 5 } },
          },
        },
      },
    });
    // The import runs in the background at start: the SecOps tests below
    // read its scores, so they wait until both sources are in (on a busy
    // machine, after the tests' first reads).
    const auth = await portal.as('ben-okafor');
    for (let i = 0; i < 240; i++) {
      const res = await request(portal.server)
        .get('/api/secops/exploitability')
        .set('authorization', auth);
      const sources = (res.body.sources ?? []).map((s: any) => s.source);
      if (sources.includes('kev') && sources.includes('epss')) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }, 300_000);

  afterAll(async () => {
    await portal?.stop();
  });

  it('refuses an MCP session without a token', async () => {
    const res = await mcp(portal.server, undefined, 'tools/list');
    expect(res.status).toBe(401);
  }, 60_000);

  it("lists the portal's actions to a signed-in person, read-only", async () => {
    const res = await mcp(
      portal.server,
      await portal.as('ben-okafor'),
      'tools/list',
    );
    expect(res.status).toBe(200);
    const tools: Array<{ name: string; annotations?: any }> =
      res.body.result.tools;
    expect(tools.map(t => t.name)).toEqual(
      expect.arrayContaining([
        'bi.list-dashboards',
        'bi.get-product-economics',
        'sre.get-slos',
        'sre.get-alerts',
        'sre.get-delivery-metrics',
        'secops.get-findings',
        'secops.get-posture',
        'secops.who-is-exposed',
        'secops.get-gate-status',
        'secops.list-exemptions',
      ]),
    );
    // Every portal action reads, but requesting an exemption, which writes
    // (and destroys nothing).
    for (const tool of tools.filter(t =>
      /^(bi|sre|secops|finops)\./.test(t.name),
    )) {
      expect(tool.annotations).toMatchObject({
        readOnlyHint: tool.name !== 'secops.request-exemption',
        destructiveHint: false,
      });
    }
    expect(tools.map(t => t.name)).toContain('secops.request-exemption');
  }, 60_000);

  describe('BI', () => {
    it('lists the dashboards a developer may see, a page at a time', async () => {
      const auth = await portal.as('ben-okafor');
      const first = await callTool(portal.server, auth, 'bi.list-dashboards', {
        limit: 2,
      });
      expect(first.error).toBeUndefined();
      expect(first.output.items).toHaveLength(2);
      expect(first.output.totalCount).toBeGreaterThan(2);
      expect(first.output.nextCursor).toBe('2');
      const next = await callTool(portal.server, auth, 'bi.list-dashboards', {
        limit: 2,
        cursor: first.output.nextCursor,
      });
      expect(next.output.items[0]).not.toEqual(first.output.items[0]);

      const found = await callTool(portal.server, auth, 'bi.list-dashboards', {
        search: 'metabase checkout',
      });
      expect(found.output.items.length).toBeGreaterThan(0);
      for (const item of found.output.items) expect(item.tool).toBe('Metabase');
      expect(found.output.items).toContainEqual(
        expect.objectContaining({ systemRef: 'system:default/checkout' }),
      );
    }, 60_000);

    it("refuses a developer a product's economics, as the page does", async () => {
      const res = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'bi.get-product-economics',
        { productRef: 'system:default/checkout' },
      );
      expect(res.output).toBeUndefined();
      expect(res.error).toMatch(/Product economics are for business/);
    }, 60_000);

    it('answers the business with product totals', async () => {
      const res = await callTool(
        portal.server,
        await portal.as('quentin-dubois'),
        'bi.get-product-economics',
        { productRef: 'system:checkout' },
      );
      expect(res.error).toBeUndefined();
      expect(res.output).toMatchObject({
        ref: 'system:default/checkout',
        currency: expect.any(String),
        months: expect.any(Array),
      });
    }, 60_000);

    it('refuses arguments outside the schema with a message', async () => {
      const res = await callTool(
        portal.server,
        await portal.as('quentin-dubois'),
        'bi.get-product-economics',
        { productRef: 'component:default/payments-api' },
      );
      expect(res.error).toMatch(/productRef/);
    }, 60_000);
  });

  describe('SRE', () => {
    it("answers a team's SLOs, worst first, once their definitions are read", async () => {
      // The SLO files are read on the plugin's schedule; an admin reads
      // them now.
      await syncSlos(portal);
      const auth = await portal.as('ben-okafor');
      const res = await callTool(portal.server, auth, 'sre.get-slos', {
        groupRef: 'group:team-checkout',
      });
      expect(res.error).toBeUndefined();
      expect(res.output.totalCount).toBeGreaterThan(0);
      const refs = new Set(res.output.items.map((s: any) => s.entityRef));
      expect(refs).toContain('component:default/checkout-service');
      for (const slo of res.output.items) {
        expect(slo).toMatchObject({
          target: expect.any(Number),
          status: expect.any(String),
        });
      }

      const one = await callTool(portal.server, auth, 'sre.get-slos', {
        entityRef: 'component:default/checkout-service',
        limit: 1,
      });
      expect(one.output.items).toHaveLength(1);
      expect(one.output.items[0].entityRef).toBe(
        'component:default/checkout-service',
      );
    }, 120_000);

    it('asks for exactly one of an entity or a group', async () => {
      const auth = await portal.as('ben-okafor');
      const both = await callTool(portal.server, auth, 'sre.get-slos', {
        entityRef: 'component:default/checkout-service',
        groupRef: 'group:default/team-checkout',
      });
      expect(both.error).toMatch(/either entityRef or groupRef/);
      const notGroup = await callTool(portal.server, auth, 'sre.get-alerts', {
        groupRef: 'component:default/checkout-service',
      });
      expect(notGroup.error).toMatch(/groupRef must name a group/);
    }, 60_000);

    it('answers delivery metrics as the Reliability tab does', async () => {
      const res = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'sre.get-delivery-metrics',
        { groupRef: 'group:default/team-checkout' },
      );
      expect(res.error).toBeUndefined();
      expect(res.output).toMatchObject({
        configured: false,
        entities: expect.any(Array),
      });
    }, 60_000);

    it('says what is not in the catalog', async () => {
      const res = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'sre.get-alerts',
        { entityRef: 'component:default/no-such-service' },
      );
      expect(res.error).toMatch(
        /component:default\/no-such-service is not in the catalog/,
      );
    }, 60_000);
  });

  describe('SecOps', () => {
    const payments = 'component:default/payments-api';
    const catalogue = 'component:default/product-catalogue-service';

    // The same real Trivy report, uploaded through the route by a member of
    // each owning team: team-checkout's payments-api and team-catalog's
    // product-catalogue-service both have the OpenSSL findings.
    beforeAll(
      () =>
        uploadTrivyReport(portal, [
          [payments, 'ben-okafor'],
          [catalogue, 'emma-schulz'],
        ]),
      120_000,
    );

    it("reads a developer's own service's findings, a page at a time", async () => {
      const auth = await portal.as('ben-okafor');
      const first = await callTool(portal.server, auth, 'secops.get-findings', {
        entityRef: payments,
        limit: 2,
      });
      expect(first.error).toBeUndefined();
      expect(first.output.totalCount).toBe(4);
      expect(first.output.items).toHaveLength(2);
      expect(first.output.items[0]).toMatchObject({
        entityRef: payments,
        tool: 'trivy',
        status: 'open',
        packageName: expect.stringMatching(/^lib(crypto|ssl)1\.1$/),
      });
      const next = await callTool(portal.server, auth, 'secops.get-findings', {
        entityRef: payments,
        limit: 2,
        cursor: first.output.nextCursor,
      });
      expect(next.output.items).toHaveLength(2);
      expect(next.output.nextCursor).toBeUndefined();
      const ids = [...first.output.items, ...next.output.items].map(
        (f: any) => f.ruleId,
      );
      expect(new Set(ids)).toEqual(new Set(['CVE-2019-1549', 'CVE-2019-1551']));
      // Exploitability: OpenSSL's CVEs have EPSS scores, none is in KEV.
      for (const f of [...first.output.items, ...next.output.items]) {
        expect(f.knownExploited).toBe(false);
        expect(f.epss).toEqual({
          score: expect.any(Number),
          percentile: expect.any(Number),
        });
      }
      const byEpss = await callTool(
        portal.server,
        auth,
        'secops.get-findings',
        {
          entityRef: payments,
          sort: 'epss',
          limit: 1,
        },
      );
      expect(byEpss.output.items[0]).toMatchObject({
        ruleId: 'CVE-2019-1551',
        epss: { score: 0.14298, percentile: 0.96489 },
      });

      const filtered = await callTool(
        portal.server,
        auth,
        'secops.get-findings',
        { entityRef: payments, search: 'libssl', status: 'open' },
      );
      expect(filtered.output.totalCount).toBe(2);

      const posture = await callTool(
        portal.server,
        auth,
        'secops.get-posture',
        {
          entityRef: payments,
        },
      );
      expect(posture.output.entity).toMatchObject({
        entityRef: payments,
        lastScanAt: expect.any(String),
      });
      const open = posture.output.entity.open;
      expect(Object.values(open).reduce((a: number, b: any) => a + b, 0)).toBe(
        4,
      );
    }, 60_000);

    it("refuses a developer another team's findings, as the page does", async () => {
      const auth = await portal.as('ben-okafor');
      for (const tool of [
        'secops.get-findings',
        'secops.get-gate-status',
        'secops.list-exemptions',
      ]) {
        const res = await callTool(portal.server, auth, tool, {
          entityRef: catalogue,
        });
        expect(res.output).toBeUndefined();
        expect(res.error).toMatch(
          /may not see the findings of component:default\/product-catalogue-service/,
        );
      }
      const org = await callTool(portal.server, auth, 'secops.get-posture', {
        organisation: true,
      });
      expect(org.error).toMatch(/Only the security team/);

      const team = await callTool(portal.server, auth, 'secops.get-posture', {
        groupRef: 'group:default/team-catalog',
      });
      expect(team.output.group.items).toEqual([]);
      expect(team.output.group.hidden).toBeGreaterThan(0);
    }, 60_000);

    it('lists who is exposed within what the caller may see', async () => {
      const developer = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'secops.who-is-exposed',
        { id: 'CVE-2019-1549' },
      );
      expect(developer.error).toBeUndefined();
      expect(developer.output.items.map((e: any) => e.entityRef)).toEqual([
        payments,
      ]);
      expect(developer.output.hidden).toBe(1);
      expect(developer.output.items[0]).toMatchObject({
        knownExploited: false,
        epssPercentile: 0.9326,
      });
      const exploited = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'secops.who-is-exposed',
        { id: 'CVE-2019-1549', knownExploited: true },
      );
      expect(exploited.output).toMatchObject({
        items: [],
        totalCount: 0,
        hidden: 0,
      });

      const other = await callTool(
        portal.server,
        await portal.as('emma-schulz'),
        'secops.who-is-exposed',
        { id: 'libssl1.1' },
      );
      expect(other.output.items.map((e: any) => e.entityRef)).toEqual([
        catalogue,
      ]);
      expect(other.output.items[0].packages[0]).toMatch(/^libssl1\.1@/);
    }, 60_000);

    it('shows security every team', async () => {
      const auth = await portal.as('jonas-berg');
      const exposed = await callTool(
        portal.server,
        auth,
        'secops.who-is-exposed',
        { id: 'cve-2019-1551' },
      );
      expect(exposed.output.hidden).toBe(0);
      expect(exposed.output.items.map((e: any) => e.entityRef).sort()).toEqual(
        [payments, catalogue].sort(),
      );

      const findings = await callTool(
        portal.server,
        auth,
        'secops.get-findings',
        {
          entityRef: catalogue,
        },
      );
      expect(findings.output.totalCount).toBe(4);

      const gate = await callTool(
        portal.server,
        auth,
        'secops.get-gate-status',
        {
          entityRef: catalogue,
        },
      );
      expect(gate.error).toBeUndefined();
      expect(gate.output.current).toMatchObject({
        entityRef: catalogue,
        passed: expect.any(Boolean),
        reasons: expect.any(Array),
      });

      const exemptions = await callTool(
        portal.server,
        auth,
        'secops.list-exemptions',
        { entityRef: catalogue },
      );
      expect(exemptions.output).toEqual({ items: [], totalCount: 0 });

      const org = await callTool(portal.server, auth, 'secops.get-posture', {
        organisation: true,
        limit: 100,
      });
      const teams = new Map(org.output.teams.map((t: any) => [t.groupRef, t]));
      for (const ref of [
        'group:default/team-checkout',
        'group:default/team-catalog',
      ]) {
        expect(teams.get(ref)).toMatchObject({ scanned: 1 });
      }
    }, 60_000);

    it("lets an owner request an exemption, and refuses another team's", async () => {
      const ben = await portal.as('ben-okafor');
      const findings = await callTool(
        portal.server,
        ben,
        'secops.get-findings',
        {
          entityRef: payments,
          limit: 1,
        },
      );
      const findingId = findings.output.items[0].id;
      const asking = {
        findingId,
        justification: 'The fix ships with the next OpenSSL base image',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      };
      const refused = await callTool(
        portal.server,
        await portal.as('emma-schulz'),
        'secops.request-exemption',
        asking,
      );
      expect(refused.output).toBeUndefined();
      expect(refused.error).toMatch(
        /may not .* component:default\/payments-api/,
      );

      const tooShort = await callTool(
        portal.server,
        ben,
        'secops.request-exemption',
        { ...asking, justification: 'later' },
      );
      expect(tooShort.error).toMatch(/at least 10 characters/);

      const asked = await callTool(
        portal.server,
        ben,
        'secops.request-exemption',
        asking,
      );
      expect(asked.error).toBeUndefined();
      expect(asked.output).toMatchObject({
        findingId,
        entityRef: payments,
        status: 'pending',
        requestedBy: 'user:default/ben-okafor',
        active: false,
      });
      const listed = await callTool(
        portal.server,
        ben,
        'secops.list-exemptions',
        { entityRef: payments },
      );
      expect(listed.output.items.map((e: any) => e.id)).toContain(
        asked.output.id,
      );
      const twice = await callTool(
        portal.server,
        ben,
        'secops.request-exemption',
        asking,
      );
      expect(twice.error).toMatch(/already/);
    }, 60_000);

    it('asks for exactly one of an entity, a group or the organisation', async () => {
      const res = await callTool(
        portal.server,
        await portal.as('jonas-berg'),
        'secops.get-posture',
        { entityRef: payments, organisation: true },
      );
      expect(res.error).toMatch(/exactly one of entityRef, groupRef/);
    }, 60_000);
  });

  describe('FinOps', () => {
    const checkoutService = 'component:default/checkout-service';
    const catalogueService = 'component:default/product-catalogue-service';

    // Imported through the route, by finance.
    beforeAll(() => importBillingExport(portal), 120_000);

    it('lists the FinOps tools, read-only, and answers no call without a token', async () => {
      const list = await mcp(
        portal.server,
        await portal.as('ben-okafor'),
        'tools/list',
      );
      const names = list.body.result.tools.map((t: any) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'finops.get-cost',
          'finops.get-top-movers',
          'finops.get-product-cost',
          'finops.estimate-resource-cost',
        ]),
      );
      const call = await mcp(portal.server, undefined, 'tools/call', {
        name: 'finops.get-cost',
        arguments: { entityRef: checkoutService },
      });
      expect(call.status).toBe(401);
    }, 60_000);

    it("answers a developer their service's cost, as the Cost tab does", async () => {
      const auth = await portal.as('ben-okafor');
      const res = await callTool(portal.server, auth, 'finops.get-cost', {
        entityRef: checkoutService,
        days: 30,
        daily: true,
      });
      expect(res.error).toBeUndefined();
      expect(res.output).toMatchObject({
        ref: checkoutService,
        currency: 'USD',
        from: '2026-10-02',
        to: '2026-10-31',
        total: 600,
        previousTotal: 300,
        change: 300,
        changePercent: 100,
        byService: [
          {
            key: 'Amazon EC2',
            amount: 600,
            previous: 300,
            change: 300,
            changePercent: 100,
          },
        ],
        demo: false,
      });
      expect(res.output.daily).toHaveLength(30);
      expect(res.output.daily[29]).toEqual({ day: '2026-10-31', amount: 20 });
      expect(res.output.monthly).toContainEqual({
        month: '2026-09',
        amount: 30 * 10,
      });

      // The same figures as the route the Cost tab reads.
      const tab = await request(portal.server)
        .get('/api/finops/entities/component/default/checkout-service/cost')
        .query({ days: 30 })
        .set('authorization', auth);
      expect(tab.status).toBe(200);
      expect(tab.body).toMatchObject({
        total: res.output.total,
        previousTotal: res.output.previousTotal,
      });

      const team = await callTool(portal.server, auth, 'finops.get-cost', {
        groupRef: 'group:team-checkout',
      });
      expect(team.error).toBeUndefined();
      // checkout-service, cart-service, orders-db and payments-api; not
      // team-appsec's fraud-detection in the same system.
      expect(team.output).toMatchObject({
        ref: 'group:default/team-checkout',
        total: 600 + 150 + 180 + 120,
        previousTotal: 300 + 150 + 180 + 120,
      });
      expect(team.output.daily).toBeUndefined();
      expect(team.output.group.topMovers[0]).toMatchObject({
        key: checkoutService,
        change: 300,
      });
    }, 60_000);

    it("refuses a developer another team's cost, saying why", async () => {
      const auth = await portal.as('ben-okafor');
      const entity = await callTool(portal.server, auth, 'finops.get-cost', {
        entityRef: catalogueService,
      });
      expect(entity.output).toBeUndefined();
      expect(entity.error).toMatch(
        /You may see the cost of what your teams own; component:default\/product-catalogue-service is owned by group:default\/team-catalog/,
      );
      const group = await callTool(portal.server, auth, 'finops.get-cost', {
        groupRef: 'group:default/team-catalog',
      });
      expect(group.error).toMatch(/not group:default\/team-catalog/);
      const movers = await callTool(
        portal.server,
        auth,
        'finops.get-top-movers',
        { groupRef: 'group:default/team-catalog' },
      );
      expect(movers.error).toMatch(/not group:default\/team-catalog/);
      const org = await callTool(portal.server, auth, 'finops.get-top-movers', {
        organisation: true,
      });
      expect(org.error).toMatch(
        /Only the finance group may see the top movers of the whole organisation/,
      );
      const product = await callTool(
        portal.server,
        auth,
        'finops.get-product-cost',
        { productRef: 'system:default/product-catalogue' },
      );
      expect(product.error).toMatch(/is owned by group:default\/team-catalog/);
    }, 60_000);

    it("answers a team's product cost, listing only the parts it may see", async () => {
      const auth = await portal.as('ben-okafor');
      const checkout = await callTool(
        portal.server,
        auth,
        'finops.get-product-cost',
        { productRef: 'system:checkout' },
      );
      expect(checkout.error).toBeUndefined();
      expect(checkout.output).toMatchObject({
        ref: 'system:default/checkout',
        kind: 'system',
        ownerRef: 'group:default/team-checkout',
        total: 600 + 150 + 180,
        previousTotal: 300 + 150 + 180,
        hiddenParts: 0,
      });
      expect(checkout.output.parts.map((p: any) => p.entityRef)).toEqual([
        checkoutService,
        'resource:default/orders-db',
        'component:default/cart-service',
      ]);

      const payments = await callTool(
        portal.server,
        auth,
        'finops.get-product-cost',
        { productRef: 'system:default/payments' },
      );
      expect(payments.output).toMatchObject({
        total: 120 + 60,
        hiddenParts: 1,
      });
      expect(payments.output.parts).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/payments-api',
          amount: 120,
        }),
      ]);

      const notAProduct = await callTool(
        portal.server,
        auth,
        'finops.get-product-cost',
        { productRef: checkoutService },
      );
      expect(notAProduct.error).toMatch(/productRef/);
    }, 60_000);

    it("answers finance the organisation's top movers, a page at a time", async () => {
      const auth = await portal.as('priya-sharma');
      const up = await callTool(portal.server, auth, 'finops.get-top-movers', {
        organisation: true,
        limit: 1,
      });
      expect(up.error).toBeUndefined();
      expect(up.output).toMatchObject({
        from: '2026-10-02',
        to: '2026-10-31',
        previousFrom: '2026-09-02',
        previousTo: '2026-10-01',
        totalCount: 2,
        nextCursor: '1',
        items: [
          {
            entityRef: checkoutService,
            ownerRef: 'group:default/team-checkout',
            amount: 600,
            previous: 300,
            change: 300,
          },
        ],
      });
      const next = await callTool(
        portal.server,
        auth,
        'finops.get-top-movers',
        {
          organisation: true,
          limit: 1,
          cursor: up.output.nextCursor,
        },
      );
      expect(next.output.items).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/search-service',
          ownerRef: 'group:default/team-catalog',
          change: 270,
          changePercent: 300,
        }),
      ]);
      expect(next.output.nextCursor).toBeUndefined();

      const down = await callTool(
        portal.server,
        auth,
        'finops.get-top-movers',
        {
          organisation: true,
          direction: 'down',
        },
      );
      expect(
        down.output.items.map((i: any) => [i.entityRef, i.change]),
      ).toEqual([[catalogueService, -120]]);

      // A developer's movers within their own team.
      const team = await callTool(
        portal.server,
        await portal.as('ben-okafor'),
        'finops.get-top-movers',
        { groupRef: 'group:default/team-checkout', direction: 'both' },
      );
      expect(team.output.items[0]).toMatchObject({
        entityRef: checkoutService,
        change: 300,
      });
      for (const item of team.output.items) {
        expect(item.ownerRef).toBe('group:default/team-checkout');
      }
    }, 60_000);

    it('estimates a golden-path resource from the price list, and lists the sizes of a bad one', async () => {
      const auth = await portal.as('ben-okafor');
      const medium = await callTool(
        portal.server,
        auth,
        'finops.estimate-resource-cost',
        { type: 'database', size: 'medium' },
      );
      expect(medium.error).toBeUndefined();
      expect(medium.output).toEqual({
        currency: 'USD',
        type: 'database',
        title: 'PostgreSQL database (Amazon RDS)',
        sizes: [
          {
            size: 'medium',
            description: 'db.t4g.medium, 100 GiB gp3, single AZ',
            monthlyCost: 59,
            settings: {
              instance_class: 'db.t4g.medium',
              allocated_storage: 100,
              multi_az: false,
            },
          },
        ],
      });
      const all = await callTool(
        portal.server,
        auth,
        'finops.estimate-resource-cost',
        { type: 'cache' },
      );
      expect(all.output.sizes.map((s: any) => s.size)).toEqual([
        'small',
        'medium',
        'large',
      ]);

      const bad = await callTool(
        portal.server,
        auth,
        'finops.estimate-resource-cost',
        { type: 'database', size: 'huge' },
      );
      expect(bad.output).toBeUndefined();
      expect(bad.error).toMatch(
        /unknown size "huge" for a database: choose one of small, medium, large/,
      );
    }, 60_000);

    it('refuses arguments outside the schema', async () => {
      const auth = await portal.as('ben-okafor');
      const days = await callTool(portal.server, auth, 'finops.get-cost', {
        entityRef: checkoutService,
        days: 401,
      });
      expect(days.error).toMatch(/days/);
      const both = await callTool(portal.server, auth, 'finops.get-cost', {
        entityRef: checkoutService,
        groupRef: 'group:default/team-checkout',
      });
      expect(both.error).toMatch(/either entityRef or groupRef/);
    }, 60_000);
  });
});
