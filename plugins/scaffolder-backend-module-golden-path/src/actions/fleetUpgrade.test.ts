/*
 * The fleet upgrade: everything checked before anything starts, one
 * upgrade task per service behind (started on the scaffolder's API as the
 * caller, and waited for), current services skipped, a failed task said so,
 * and a restarted run that starts nothing twice.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { runAction, tempDir } from '../__testUtils__/testing';
import { Ownership } from '../ownership';
import { createFleetUpgradeAction, ScaffolderTasks } from './fleetUpgrade';

const template = (name: string, version: string): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'acme.example/template-version': version },
  },
  spec: {},
});

const service = (
  name: string,
  owner: string,
  version?: string,
  templateName = 'new-service',
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: version
      ? {
          'acme.example/template': templateName,
          'acme.example/template-version': version,
        }
      : {},
  },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const entities: Entity[] = [
  template('new-service', '1.1.0'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-checkout', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'ben.okafor', namespace: 'default' },
    spec: { memberOf: ['team-checkout'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-checkout' }],
  },
  service('payments-api', 'group:default/team-checkout', '1.0.0'),
  service('checkout-web', 'group:default/team-checkout', '1.0.2'),
  service('orders-api', 'group:default/team-checkout', '1.1.0'),
  service('legacy-billing', 'group:default/team-checkout'),
  service('gone-template', 'group:default/team-checkout', '0.9.0', 'retired'),
  service('search-api', 'group:default/team-catalog', '1.0.0'),
];

/**
 * The scaffolder's task API: each task runs for two polls, then ends; its
 * events end with the completion, whose output says whether the service
 * was found already up to date (no pull request).
 */
function fakeScaffolder(
  options: { failing?: string; upToDate?: string; pollStatus?: number } = {},
) {
  const calls: Array<{
    method: string;
    url: string;
    body?: any;
    auth?: string;
  }> = [];
  const tasks = new Map<string, { component: string; polls: number }>();
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({
      method: init.method ?? 'GET',
      url,
      body,
      auth: (init.headers as Record<string, string>).authorization,
    });
    const json = (status: number, value: unknown) =>
      new Response(JSON.stringify(value), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    if (init.method === 'POST') {
      const id = `task-${tasks.size + 1}`;
      tasks.set(id, { component: body.values.component, polls: 0 });
      return json(201, { id });
    }
    if (options.pollStatus) {
      return json(options.pollStatus, { error: { message: 'Token expired' } });
    }
    const events = url.endsWith('/events');
    const id = decodeURIComponent(
      url
        .replace(/\/events$/, '')
        .split('/')
        .pop()!,
    );
    const task = tasks.get(id);
    if (!task) {
      return json(404, {
        error: { message: `Task with id ${id} does not exist` },
      });
    }
    if (events) {
      const upToDate = task.component === options.upToDate;
      return json(200, [
        { id: 1, taskId: id, type: 'log', body: { message: 'Beginning' } },
        {
          id: 2,
          taskId: id,
          type: 'completion',
          body: {
            message: 'Run completed with status: completed',
            output: { upToDate, text: [] },
          },
        },
      ]);
    }
    task.polls += 1;
    const done = task.component === options.failing ? 'failed' : 'completed';
    return json(200, { id, status: task.polls < 2 ? 'processing' : done });
  }) as typeof fetch;
  return { calls, tasks, fetchImpl };
}

function action(
  scaffolder: ReturnType<typeof fakeScaffolder>,
  admins: string[] = [],
) {
  const catalog = catalogServiceMock({ entities });
  const auth = mockServices.auth();
  return createFleetUpgradeAction({
    catalog,
    auth,
    ownership: new Ownership(catalog, auth, admins),
    tasks: new ScaffolderTasks({
      auth,
      discovery: {
        getBaseUrl: async id => `http://backend/api/${id}`,
        getExternalBaseUrl: async id => `http://backend/api/${id}`,
      },
      fetch: scaffolder.fetchImpl,
      sleep: async () => {},
    }),
  });
}

const ref = (name: string) => `component:default/${name}`;

describe('golden-path:fleet:upgrade', () => {
  it('starts one upgrade per service behind, as the caller, and lists what became of each', async () => {
    const scaffolder = fakeScaffolder({ failing: ref('checkout-web') });
    const { dir: workspacePath } = await tempDir();
    const out = await runAction(
      action(scaffolder),
      {
        components: [
          'payments-api',
          ref('checkout-web'),
          ref('orders-api'),
          ref('legacy-billing'),
          ref('gone-template'),
          ref('payments-api'), // twice: once
        ],
      },
      { workspacePath },
    );
    // Two tasks started, both of the upgrade template, with the caller's token.
    const started = scaffolder.calls.filter(c => c.method === 'POST');
    expect(started.map(c => [c.url, c.body])).toEqual([
      [
        'http://backend/api/scaffolder/v2/tasks',
        {
          templateRef: 'template:default/upgrade-golden-path',
          values: { component: ref('payments-api') },
        },
      ],
      [
        'http://backend/api/scaffolder/v2/tasks',
        {
          templateRef: 'template:default/upgrade-golden-path',
          values: { component: ref('checkout-web') },
        },
      ],
    ]);
    expect(started[0].auth).toBe(
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.user(),
        targetPluginId: 'scaffolder',
      })}`,
    );
    const byRef = Object.fromEntries(
      (out.results as any[]).map(r => [r.entityRef, [r.status, r.detail]]),
    );
    expect(byRef).toEqual({
      [ref('payments-api')]: [
        'upgraded',
        expect.stringMatching(
          /^new-service 1.0.0 to 1.1.0: pull request opened \(task task-\d\)$/,
        ),
      ],
      [ref('checkout-web')]: [
        'failed',
        expect.stringMatching(
          /^its upgrade task failed: see \/create\/tasks\/task-\d$/,
        ),
      ],
      [ref('orders-api')]: ['current', 'already on new-service 1.1.0'],
      [ref('legacy-billing')]: [
        'not-on-path',
        'not on the golden path (no acme.example/template): adopt it first',
      ],
      [ref('gone-template')]: [
        'failed',
        'its template retired is not in the catalog',
      ],
    });
    expect(out).toMatchObject({ upgraded: 1, current: 1, failed: 2 });
    expect(out.summary).toMatch(
      /^1 pull request, 1 already current, 1 not on the golden path, 2 failed\./,
    );
    expect(out.summary).toContain(
      '| component:default/orders-api | current | already on new-service 1.1.0 |  |',
    );
    expect(out.summary).toMatch(
      /\| component:default\/payments-api \| pull request \| .* \| \[log\]\(\/create\/tasks\/task-\d\) \|/,
    );
  });

  it('counts a service its upgrade found already up to date as current, not as a pull request', async () => {
    // The catalog still says 1.0.0, but the repository already follows
    // 1.1.0 (merged, not yet refreshed): its upgrade opens no pull request.
    const scaffolder = fakeScaffolder({ upToDate: ref('payments-api') });
    const { dir: workspacePath } = await tempDir();
    const out = await runAction(
      action(scaffolder),
      { components: [ref('payments-api'), ref('checkout-web')] },
      { workspacePath },
    );
    expect(scaffolder.calls.filter(c => c.method === 'POST')).toHaveLength(2);
    const byRef = Object.fromEntries(
      (out.results as any[]).map(r => [r.entityRef, r]),
    );
    expect(byRef[ref('payments-api')]).toMatchObject({
      status: 'current',
      taskId: expect.stringMatching(/^task-\d$/),
      detail: expect.stringMatching(
        /^already on 1.1.0 in its repository \(the catalog says 1.0.0\): no pull request \(task task-\d\)$/,
      ),
    });
    expect(byRef[ref('checkout-web')]).toMatchObject({
      status: 'upgraded',
      detail: expect.stringMatching(/pull request opened/),
    });
    expect(out).toMatchObject({ upgraded: 1, current: 1, failed: 0 });
    expect(out.summary).toMatch(
      /^1 pull request, 1 already current, 0 not on the golden path, 0 failed\./,
    );
    expect(out.summary).toMatch(
      /\| component:default\/payments-api \| current \| .* \| \[log\]\(\/create\/tasks\/task-\d\) \|/,
    );
  });

  it('starts nothing when a service is unknown or not theirs', async () => {
    const scaffolder = fakeScaffolder();
    const { dir: workspacePath } = await tempDir();
    await expect(
      runAction(
        action(scaffolder),
        { components: [ref('payments-api'), ref('ghost')] },
        { workspacePath },
      ),
    ).rejects.toThrow(
      'not Components of the catalog: component:default/ghost; nothing was started',
    );
    await expect(
      runAction(
        action(scaffolder),
        { components: [ref('payments-api'), ref('search-api')] },
        { workspacePath },
      ),
    ).rejects.toThrow(
      'not owned by one of your teams: component:default/search-api; nothing was started',
    );
    await expect(
      runAction(
        action(scaffolder),
        { components: ['system:default/shop'] },
        { workspacePath },
      ),
    ).rejects.toThrow('"system:default/shop" is not a component');
    expect(scaffolder.calls).toEqual([]);
    // More than a run takes: refused by the schema.
    await expect(
      runAction(
        action(scaffolder),
        { components: Array.from({ length: 101 }, (_, i) => ref(`s${i}`)) },
        { workspacePath },
      ),
    ).rejects.toThrow(/does not meet maximum length of 100/);
    // An admin may upgrade another team's service.
    const asAdmin = await runAction(
      action(scaffolder, ['group:default/team-checkout']),
      { components: [ref('search-api')] },
      { workspacePath },
    );
    expect(asAdmin).toMatchObject({ upgraded: 1 });
  });

  it('does not start a service twice when its task is run again', async () => {
    const scaffolder = fakeScaffolder();
    const { dir: workspacePath } = await tempDir();
    const checkpoints = new Map<string, unknown>();
    const input = { components: [ref('payments-api'), ref('checkout-web')] };
    await runAction(action(scaffolder), input, { workspacePath, checkpoints });
    const again = await runAction(action(scaffolder), input, {
      workspacePath,
      checkpoints,
    });
    expect(scaffolder.calls.filter(c => c.method === 'POST')).toHaveLength(2);
    expect(again).toMatchObject({ upgraded: 2, failed: 0 });
  });

  it('starts nothing once cancelled, and says when an upgrade it started cannot be followed', async () => {
    const { dir: workspacePath } = await tempDir();
    const cancelled = new AbortController();
    cancelled.abort();
    const scaffolder = fakeScaffolder();
    const out = await runAction(
      action(scaffolder),
      { components: [ref('payments-api')] },
      { workspacePath, signal: cancelled.signal },
    );
    expect(scaffolder.calls).toEqual([]);
    expect((out.results as any[])[0]).toMatchObject({
      status: 'failed',
      detail: 'not started: the fleet upgrade was cancelled',
    });

    // The token ran out while it waited: the upgrade goes on by itself.
    const expired = fakeScaffolder({ pollStatus: 401 });
    const late = await runAction(
      action(expired),
      { components: [ref('payments-api')] },
      { workspacePath },
    );
    expect((late.results as any[])[0].detail).toMatch(
      /^started, but its end is unknown \(the scaffolder answered 401: Token expired\): see \/create\/tasks\/task-1$/,
    );
  });
});
