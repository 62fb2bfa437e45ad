/*
 * Scorecards over HTTP: the security team evaluates every check of every
 * component; each entity gets its level and checks, the teams a
 * leaderboard everyone signed in may read, a group its roll-up with the
 * entities the reader may see; a module adds its own check through the
 * extension point; and each route refuses whom it must.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { secopsChecksExtensionPoint } from '@portal/plugin-secops-node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  component,
  fixture,
  ciHeader,
  machineConfig,
  machineHeader,
  securityLead,
  start,
  upload,
} from './__testUtils__/backend';

const group = (
  name: string,
  type: string,
  parent?: string,
  children: string[] = [],
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type, children, profile: { displayName: `Team ${name}` } },
  relations: [
    ...children.map(c => ({
      type: 'parentOf',
      targetRef: `group:default/${c}`,
    })),
    ...(parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : []),
  ],
});

const owned = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
) => {
  const entity = component(name, `group:default/${owner}`);
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: { ...entity.metadata.annotations, ...annotations },
    },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
};

const DOCS = { 'backstage.io/techdocs-ref': 'dir:.' };

/** A module that adds a check of its own: the entity names a runbook. */
const runbookCheck = createBackendModule({
  pluginId: 'secops',
  moduleId: 'runbook-check',
  register(env) {
    env.registerInit({
      deps: { checks: secopsChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheck({
          id: 'has-runbook',
          title: 'Has a runbook',
          description:
            'The entity links its runbook (annotation acme.io/runbook).',
          level: 'gold',
          evaluate: async batch =>
            new Map(
              batch.map(({ ref, entity }) => {
                const url = entity.metadata.annotations?.['acme.io/runbook'];
                return [
                  ref,
                  url
                    ? { passed: true, detail: `runbook at ${url}` }
                    : { passed: false, detail: 'no runbook' },
                ];
              }),
            ),
        });
      },
    });
  },
});

describe('scorecards', () => {
  it('scores every component, ranks the teams and rolls up each group', async () => {
    let denyFindings = false;
    let securityTeam = true;
    const notifications: NotificationSendOptions[] = [];
    const server = await start({
      config: machineConfig,
      notifications,
      features: [runbookCheck],
      policy: name => {
        if (
          name === 'secops.exemption.decide' ||
          name === 'secops.organisation.read'
        ) {
          return securityTeam ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
        }
        if (denyFindings && name === 'secops.findings.read') {
          return AuthorizeResult.DENY;
        }
        return AuthorizeResult.ALLOW;
      },
      entities: [
        group('engineering', 'department', undefined, ['team-web', 'team-api']),
        group('team-web', 'team', 'engineering'),
        group('team-api', 'team', 'engineering'),
        owned('storefront', 'team-web', {
          ...DOCS,
          'acme.io/runbook': 'https://runbooks.acme.example/storefront',
        }),
        owned('legacy-cms', 'team-web'),
        owned('orders-api', 'team-api', DOCS),
      ],
    });
    // storefront and orders-api scanned: only medium findings.
    for (const name of ['storefront', 'orders-api']) {
      const res = await upload(
        server,
        { entityRef: `component:default/${name}`, tool: 'trivy' },
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      expect(res.status).toBe(201);
    }

    // Their pipelines ask the gate (legacy-cms's never does).
    for (const name of ['storefront', 'orders-api']) {
      const gate = await request(server)
        .post('/api/secops/gate')
        .set('authorization', ciHeader(`acme/${name}`))
        .send({ entityRef: `component:default/${name}`, commit: 'abcdef1' });
      expect(gate.status).toBe(200);
    }
    // A person asking does not count as the pipeline enforcing it.
    await request(server)
      .post('/api/secops/gate')
      .send({ entityRef: 'component:default/legacy-cms' });

    // Before any evaluation: empty, and saying so.
    const before = await request(server).get(
      '/api/secops/entities/component/default/storefront/scorecard',
    );
    expect(before.body).toEqual({
      entityRef: 'component:default/storefront',
      checks: [],
      history: [],
    });

    securityTeam = false;
    const refused = await request(server).post(
      '/api/secops/scorecards/evaluations',
    );
    expect(refused.status).toBe(403);
    securityTeam = true;
    const evaluated = await request(server).post(
      '/api/secops/scorecards/evaluations',
    );
    expect(evaluated.status).toBe(200);
    expect(evaluated.body).toMatchObject({
      entities: 3,
      checks: 10,
      results: 30,
    });

    const checks = await request(server).get('/api/secops/scorecards/checks');
    expect(checks.body.items.map((c: any) => `${c.level}:${c.id}`)).toEqual([
      'bronze:owner-and-docs',
      'bronze:scans-fresh',
      'silver:dast-internet-facing',
      'silver:exemptions-current',
      'silver:gate-enforced',
      'silver:gate-passing',
      'silver:no-overdue-critical',
      'gold:has-runbook',
      'gold:no-known-exploited',
      'gold:no-open-high',
    ]);

    const card = await request(server).get(
      '/api/secops/entities/component/default/storefront/scorecard',
    );
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      level: 'gold',
      score: 100,
      passed: 10,
      total: 10,
    });
    expect(card.body.history).toEqual([
      { day: card.body.day, level: 'gold', score: 100 },
    ]);
    const orders = await request(server).get(
      '/api/secops/entities/component/default/orders-api/scorecard',
    );
    // Everything but the runbook: silver, 9 of 10.
    expect(orders.body).toMatchObject({ level: 'silver', score: 90 });
    expect(
      orders.body.checks.find((c: any) => c.id === 'has-runbook'),
    ).toMatchObject({
      passed: false,
      detail: 'no runbook',
    });
    const legacy = await request(server).get(
      '/api/secops/entities/component/default/legacy-cms/scorecard',
    );
    expect(legacy.body.level).toBeUndefined();
    expect(
      legacy.body.checks.find((c: any) => c.id === 'owner-and-docs').detail,
    ).toBe('no TechDocs');
    expect(
      legacy.body.checks.find((c: any) => c.id === 'scans-fresh').detail,
    ).toBe('never scanned');

    // The leaderboard: best score first, with the levels reached.
    const board = await request(server).get(
      '/api/secops/scorecards/leaderboard',
    );
    expect(board.status).toBe(200);
    expect(
      board.body.items.map((r: any) => [
        r.rank,
        r.groupRef,
        r.entities,
        r.gold,
        r.silver,
        r.bronze,
      ]),
    ).toEqual([
      [1, 'group:default/team-api', 1, 0, 1, 1],
      [2, 'group:default/team-web', 2, 1, 1, 1],
    ]);
    expect(board.body.items[1].score).toBe(
      Math.round(10 * ((100 + legacy.body.score) / 2)) / 10,
    );
    // Teams only; a machine may not read it.
    expect(
      (
        await request(server)
          .get('/api/secops/scorecards/leaderboard')
          .set('authorization', machineHeader('security-scanner'))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .get('/api/secops/scorecards/leaderboard')
          .query({ limit: 0 })
      ).status,
    ).toBe(400);

    // The department rolls up both teams.
    const department = await request(server).get(
      '/api/secops/groups/default/engineering/scorecard',
    );
    expect(department.status).toBe(200);
    expect(department.body.rollUp).toMatchObject({
      entities: 3,
      gold: 1,
      silver: 2,
      bronze: 2,
    });
    expect(
      department.body.items.map((i: any) => [i.entityRef, i.level]),
    ).toEqual([
      ['component:default/legacy-cms', undefined],
      ['component:default/orders-api', 'silver'],
      ['component:default/storefront', 'gold'],
    ]);

    // Compliance: SOC 2 and HITRUST CSF as mappings of controls to checks.
    const frameworks = await request(server).get(
      '/api/secops/compliance/frameworks',
    );
    expect(frameworks.body.items.map((f: any) => f.id)).toEqual([
      'hitrust',
      'soc2',
    ]);
    const rateOf = (body: any, control: string) =>
      body.controls.find((c: any) => c.id === control);
    // CC6.1 (inventory, owner-and-docs): storefront and orders-api pass,
    // legacy-cms has no docs.
    const organisation = await request(server).get(
      '/api/secops/compliance/frameworks/soc2',
    );
    expect(organisation.status).toBe(200);
    expect(organisation.body.scope).toBe('organisation');
    expect(rateOf(organisation.body, 'CC6.1')).toMatchObject({
      checks: ['owner-and-docs'],
      entities: 3,
      passing: 2,
      rate: 66.7,
      history: [{ day: evaluated.body.day, rate: 66.7 }],
    });
    const team = await request(server)
      .get('/api/secops/compliance/frameworks/soc2')
      .query({ groupRef: 'team-web' });
    expect(team.body.scope).toBe('group:default/team-web');
    expect(rateOf(team.body, 'CC6.1')).toMatchObject({ entities: 2, rate: 50 });
    const one = await request(server)
      .get('/api/secops/compliance/frameworks/hitrust')
      .query({ entityRef: 'component:default/legacy-cms' });
    expect(rateOf(one.body, '07.a')).toMatchObject({ entities: 1, rate: 0 });
    expect(
      (await request(server).get('/api/secops/compliance/frameworks/iso'))
        .status,
    ).toBe(404);
    expect(
      (
        await request(server)
          .get('/api/secops/compliance/frameworks/soc2')
          .query({ groupRef: 'team-web', entityRef: 'x' })
      ).status,
    ).toBe(400);

    // The evidence export: a .tar.gz that tar opens and sha256sum checks.
    const evidence = await request(server)
      .get('/api/secops/compliance/frameworks/soc2/evidence')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(evidence.status).toBe(200);
    expect(evidence.headers['content-type']).toBe('application/gzip');
    const name = `soc2-evidence-${evaluated.body.day}`;
    expect(evidence.headers['content-disposition']).toBe(
      `attachment; filename="${name}.tar.gz"`,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    try {
      fs.writeFileSync(path.join(dir, 'e.tar.gz'), evidence.body);
      execFileSync('tar', ['-xzf', 'e.tar.gz'], { cwd: dir });
      const check = execFileSync('sha256sum', ['-c', 'MANIFEST.sha256'], {
        cwd: path.join(dir, name),
        encoding: 'utf8',
      });
      expect(check).toBe('evidence.json: OK\nevidence.csv: OK\n');
      const json = JSON.parse(
        fs.readFileSync(path.join(dir, name, 'evidence.json'), 'utf8'),
      );
      expect(json.framework.id).toBe('soc2');
      const cc61 = json.controls.find((c: any) => c.id === 'CC6.1');
      expect(cc61).toMatchObject({ entities: 3, passing: 2 });
      expect(cc61.results).toContainEqual(
        expect.objectContaining({
          entityRef: 'component:default/legacy-cms',
          checkId: 'owner-and-docs',
          passed: false,
          detail: 'no TechDocs',
          evaluatedAt: expect.any(String),
        }),
      );
      const csv = fs
        .readFileSync(path.join(dir, name, 'evidence.csv'), 'utf8')
        .split('\n');
      expect(csv[0]).toBe(
        'control,control_title,check,entity_ref,passed,detail,evaluated_at,records',
      );
      expect(csv).toContainEqual(
        expect.stringMatching(
          /^CC6\.1,Logical access security over protected information assets,owner-and-docs,component:default\/legacy-cms,false,no TechDocs,/,
        ),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const badDay = await request(server)
      .get('/api/secops/compliance/frameworks/soc2/evidence')
      .query({ day: 'yesterday' });
    expect(badDay.status).toBe(400);
    const noDay = await request(server)
      .get('/api/secops/compliance/frameworks/soc2/evidence')
      .query({ day: '2001-01-01' });
    expect(noDay.status).toBe(404);
    expect(noDay.body.error.message).toBe(
      'The scorecards were not evaluated on 2001-01-01',
    );
    // Only the security team reads the organisation's compliance and
    // exports evidence.
    securityTeam = false;
    expect(
      (await request(server).get('/api/secops/compliance/frameworks/soc2'))
        .status,
    ).toBe(403);
    expect(
      (
        await request(server).get(
          '/api/secops/compliance/frameworks/soc2/evidence',
        )
      ).status,
    ).toBe(403);
    securityTeam = true;

    // A campaign: every service at silver; the owners not there are told.
    const campaign = {
      title: 'Every service at silver',
      targetLevel: 'silver',
      match: { type: ['service'] },
      // 100 days from now: in the future, within three years.
      dueDate: new Date(Date.now() + 100 * 86_400_000)
        .toISOString()
        .slice(0, 10),
    };
    const post = (body: object, authorization?: string) => {
      const req = request(server).post('/api/secops/campaigns');
      return (
        authorization ? req.set('authorization', authorization) : req
      ).send(body);
    };
    expect((await post({ ...campaign, dueDate: '2001-01-01' })).status).toBe(
      400,
    );
    expect((await post({ ...campaign, dueDate: 'soon' })).status).toBe(400);
    expect((await post({ ...campaign, targetLevel: 'platinum' })).status).toBe(
      400,
    );
    expect(
      (await post(campaign, machineHeader('security-scanner'))).status,
    ).toBe(403);
    securityTeam = false;
    expect((await post(campaign)).status).toBe(403);
    securityTeam = true;
    // (The weekly digest may go out meanwhile: only the campaign's count.)
    const told = () =>
      notifications.filter(n => n.payload.topic === 'secops-campaign');
    expect(told()).toHaveLength(0);
    const started = await post(campaign);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      title: 'Every service at silver',
      targetLevel: 'silver',
      total: 3,
      reached: 2,
      overdue: false,
    });
    // team-web's legacy-cms is below silver: team-web is told, team-api not.
    expect(told().map(n => (n.recipients as any).entityRef)).toEqual([
      'group:default/team-web',
    ]);
    expect(told()[0].payload).toMatchObject({
      title: 'Campaign: Every service at silver',
      description: `1 of your 2 services must reach silver by ${campaign.dueDate}. Their scorecards say what is missing.`,
      link: '/scorecards',
    });
    const list = await request(server).get('/api/secops/campaigns');
    expect(list.body.items).toHaveLength(1);
    const detail = await request(server).get(
      `/api/secops/campaigns/${started.body.id}`,
    );
    expect(detail.body.teams).toEqual([
      { owner: 'group:default/team-web', total: 2, reached: 1 },
      { owner: 'group:default/team-api', total: 1, reached: 1 },
    ]);
    expect(
      (
        await request(server).get(
          '/api/secops/campaigns/00000000-0000-0000-0000-000000000000',
        )
      ).status,
    ).toBe(404);

    // Asked again the same day: the day's results are replaced, not added.
    const again = await request(server).post(
      '/api/secops/scorecards/evaluations',
    );
    expect(again.body.results).toBe(30);
    const boardAgain = await request(server).get(
      '/api/secops/scorecards/leaderboard',
    );
    expect(boardAgain.body.totalCount).toBe(2);

    // A check exemption: the owners ask, someone else of security decides.
    const exemptions =
      '/api/secops/entities/component/default/legacy-cms/check-exemptions';
    const ask = (body: object, authorization?: string) => {
      const req = request(server).post(exemptions);
      return (
        authorization ? req.set('authorization', authorization) : req
      ).send(body);
    };
    const inDays = (days: number) =>
      new Date(Date.now() + days * 86_400_000).toISOString();
    const exemption = {
      checkId: 'owner-and-docs',
      justification: 'Retired next quarter; its docs move to the wiki first',
      expiresAt: inDays(30),
    };
    expect((await ask({ ...exemption, checkId: 'no-such-check' })).status).toBe(
      400,
    );
    expect(
      (await ask({ ...exemption, expiresAt: inDays(120) })).body.error.message,
    ).toBe('A check exemption lasts at most 90 days');
    expect(
      (await ask(exemption, machineHeader('security-scanner'))).status,
    ).toBe(403);
    const asked = await ask(exemption);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ status: 'pending', active: false });
    expect((await ask(exemption)).status).toBe(409);
    const decide = (authorization?: string) => {
      const req = request(server).post(
        `/api/secops/check-exemptions/${asked.body.id}/decision`,
      );
      return (
        authorization ? req.set('authorization', authorization) : req
      ).send({
        decision: 'approve',
      });
    };
    // Who asked may not decide.
    expect((await decide()).status).toBe(403);
    const approved = await decide(securityLead);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', active: true });
    expect((await decide(securityLead)).status).toBe(409);
    await request(server).post('/api/secops/scorecards/evaluations');
    const exempted = await request(server).get(
      '/api/secops/entities/component/default/legacy-cms/scorecard',
    );
    expect(
      exempted.body.checks.find((c: any) => c.id === 'owner-and-docs'),
    ).toMatchObject({
      passed: true,
      detail: `exempted until ${exemption.expiresAt.slice(0, 10)} (${
        exemption.justification
      }); found: no TechDocs`,
    });
    const listed = await request(server).get(exemptions);
    expect(listed.body.items.map((e: any) => e.status)).toEqual(['approved']);

    // Details stay scoped: who may not read the findings sees no scorecard.
    denyFindings = true;
    const hidden = await request(server).get(
      '/api/secops/entities/component/default/storefront/scorecard',
    );
    expect(hidden.status).toBe(403);
    // But the team-level leaderboard stays.
    expect(
      (await request(server).get('/api/secops/scorecards/leaderboard')).status,
    ).toBe(200);
  }, 120_000);
});
