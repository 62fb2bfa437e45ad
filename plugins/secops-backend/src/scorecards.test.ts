/*
 * Scorecards over HTTP: the security team evaluates every check of every
 * component; each entity gets its level and checks, the teams a
 * leaderboard everyone signed in may read, a group its roll-up with the
 * entities the reader may see; a module adds its own check through the
 * extension point; and each route refuses whom it must.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { secopsChecksExtensionPoint } from '@portal/plugin-secops-node';
import request from 'supertest';
import {
  component,
  fixture,
  machineConfig,
  machineHeader,
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
    const server = await start({
      config: machineConfig,
      features: [runbookCheck],
      policy: name => {
        if (name === 'secops.exemption.decide') {
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
      checks: 8,
      results: 24,
    });

    const checks = await request(server).get('/api/secops/scorecards/checks');
    expect(checks.body.items.map((c: any) => `${c.level}:${c.id}`)).toEqual([
      'bronze:owner-and-docs',
      'bronze:scans-fresh',
      'silver:dast-internet-facing',
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
      passed: 8,
      total: 8,
    });
    expect(card.body.history).toEqual([
      { day: card.body.day, level: 'gold', score: 100 },
    ]);
    const orders = await request(server).get(
      '/api/secops/entities/component/default/orders-api/scorecard',
    );
    // Everything but the runbook: silver, 7 of 8.
    expect(orders.body).toMatchObject({ level: 'silver', score: 87.5 });
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

    // Asked again the same day: the day's results are replaced, not added.
    const again = await request(server).post(
      '/api/secops/scorecards/evaluations',
    );
    expect(again.body.results).toBe(24);
    const boardAgain = await request(server).get(
      '/api/secops/scorecards/leaderboard',
    );
    expect(boardAgain.body.totalCount).toBe(2);

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
