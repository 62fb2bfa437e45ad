import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConfigReader } from '@backstage/config';
import { CatalogOwnership, refsOf } from './OwnershipService';

function group(name: string, children: string[] = [], parent?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children },
    relations: [
      ...children.map(child => ({
        type: 'parentOf',
        targetRef: `group:default/${child}`,
      })),
      ...(parent
        ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
        : []),
    ],
  };
}

function component(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { owner: `group:default/${owner}`, type: 'service' },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

const entities = [
  group('acme', ['engineering', 'security']),
  group('engineering', ['team-a', 'team-b'], 'acme'),
  group('team-a', [], 'engineering'),
  group('team-b', ['acme'], 'engineering'), // a cycle must not loop
  group('security', ['appsec'], 'acme'),
  group('appsec', [], 'security'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'kira', namespace: 'default' },
    spec: { memberOf: ['appsec'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/appsec' }],
  },
  component('a1', 'team-a'),
  component('b1', 'team-b'),
  component('e1', 'engineering'),
  component('s1', 'security'),
];

describe('CatalogOwnership', () => {
  const hierarchy = new CatalogOwnership(
    catalogServiceMock({ entities }),
    mockServices.auth(),
  );

  it('finds a group and every group below it, once', async () => {
    expect(
      (await hierarchy.withDescendants(['group:default/engineering'])).sort(),
    ).toEqual([
      'group:default/acme',
      'group:default/appsec',
      'group:default/engineering',
      'group:default/security',
      'group:default/team-a',
      'group:default/team-b',
    ]);
    expect(await hierarchy.withDescendants(['group:default/team-a'])).toEqual([
      'group:default/team-a',
    ]);
  });

  it('gives a user the roles of their groups and the groups above', async () => {
    // team-b names acme as a child (the cycle), so it and engineering are
    // above acme too.
    expect((await hierarchy.roleGroupsOf('user:default/kira')).sort()).toEqual([
      'group:default/acme',
      'group:default/appsec',
      'group:default/engineering',
      'group:default/security',
      'group:default/team-b',
    ]);
    expect(await hierarchy.roleGroupsOf('user:default/nobody')).toEqual([]);
    // Their teams: the groups they are in, not those above.
    expect(await hierarchy.groupsOf('user:default/kira')).toEqual([
      'group:default/appsec',
    ]);
    expect(await hierarchy.groupsOf('user:default/nobody')).toEqual([]);
  });

  it('lists what a group and its sub-groups own', async () => {
    const owned = await hierarchy.ownedEntities('group:default/security', {
      kinds: ['Component'],
    });
    expect(refsOf(owned)).toEqual(['component:default/s1']);
    const team = await hierarchy.ownedEntities('group:default/team-a');
    expect(refsOf(team)).toEqual(['component:default/a1']);
  });

  it('lists what many groups own as ownedEntities does, in a fixed number of catalog calls', async () => {
    const groupRefs = entities
      .filter(e => e.kind === 'Group')
      .map(e => `group:default/${e.metadata.name}`);
    for (const kinds of [['Component'], undefined]) {
      const catalog = catalogServiceMock({ entities });
      const queries = jest.spyOn(catalog, 'queryEntities');
      const bulk = await new CatalogOwnership(
        catalog,
        mockServices.auth(),
      ).ownedEntitiesByGroup([...groupRefs, 'group:default/unknown'], {
        kinds,
        fields: ['spec.owner'],
      });
      // The group tree once and the owned entities once, for every group.
      expect(queries).toHaveBeenCalledTimes(2);
      for (const ref of groupRefs) {
        const one = await hierarchy.ownedEntities(ref, { kinds });
        expect(refsOf(bulk.get(ref)!)).toEqual(refsOf(one));
      }
      expect(bulk.get('group:default/unknown')).toEqual([]);
    }
    expect(
      refsOf(
        (await hierarchy.ownedEntitiesByGroup(['group:default/Engineering'], {
          kinds: ['Component'],
        }))!.get('group:default/engineering')!,
      ),
    ).toEqual([
      'component:default/a1',
      'component:default/b1',
      'component:default/e1',
      'component:default/s1',
    ]);
  });

  it('matches owners in memory when there are too many for the query', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      group(`team-${i}`, [], 'acme'),
    );
    const catalog = catalogServiceMock({
      entities: [
        group(
          'acme',
          many.map(g => g.metadata.name),
        ),
        ...many,
        ...many.map((g, i) => component(`c${i}`, g.metadata.name)),
      ],
    });
    const queries = jest.spyOn(catalog, 'queryEntities');
    const bulk = await new CatalogOwnership(
      catalog,
      mockServices.auth(),
    ).ownedEntitiesByGroup(
      many.map(g => `group:default/${g.metadata.name}`),
      { kinds: ['Component'] },
    );
    const query = queries.mock.calls[1][0] as { filter: object };
    expect(query.filter).toEqual({ kind: ['Component'] });
    expect(refsOf(bulk.get('group:default/team-7')!)).toEqual([
      'component:default/c7',
    ]);
  });

  it('gives a user ownership through their groups and every group below', async () => {
    const user = entities.find(e => e.metadata.name === 'kira')!;
    expect((await hierarchy.ownershipRefsOf(user)).sort()).toEqual([
      'group:default/appsec',
      'user:default/kira',
    ]);
  });
});

describe('the cached group tree', () => {
  function setUp(maxAgeMs = 30_000) {
    const groups = [group('acme', ['platform']), group('platform', [], 'acme')];
    const catalog = catalogServiceMock({ entities: groups });
    let now = 1_000_000;
    const ownership = new CatalogOwnership(catalog, mockServices.auth(), {
      maxAgeMs,
      now: () => now,
    });
    const queries = jest.spyOn(catalog, 'queryEntities');
    return {
      catalog,
      ownership,
      queries,
      tick: (ms: number) => {
        now += ms;
      },
    };
  }

  it('is read once for many questions within its age, however many at once', async () => {
    const { ownership, queries, tick } = setUp();
    await Promise.all([
      ownership.withDescendants(['group:default/acme']),
      ownership.withAncestors(['group:default/platform']),
      ownership.tree(),
    ]);
    tick(29_000);
    await ownership.withDescendants(['group:default/platform']);
    expect(queries).toHaveBeenCalledTimes(1);
  });

  it('follows a change in the catalog once it is older than its age', async () => {
    const { catalog, ownership, tick } = setUp();
    expect(await ownership.withDescendants(['group:default/acme'])).toEqual([
      'group:default/acme',
      'group:default/platform',
    ]);
    // A new team below platform, as the catalog shows it after processing.
    const before = await catalog.getEntities(
      {},
      { credentials: await mockServices.auth().getOwnServiceCredentials() },
    );
    const changed = catalogServiceMock({
      entities: [
        ...before.items.map(e =>
          e.metadata.name === 'platform'
            ? {
                ...e,
                relations: [
                  ...(e.relations ?? []),
                  { type: 'parentOf', targetRef: 'group:default/sre' },
                ],
              }
            : e,
        ),
        group('sre', [], 'platform'),
      ],
    });
    jest
      .spyOn(catalog, 'queryEntities')
      .mockImplementation((request, options) =>
        changed.queryEntities(request, options),
      );
    tick(10_000);
    expect(await ownership.withDescendants(['group:default/acme'])).toEqual([
      'group:default/acme',
      'group:default/platform',
    ]);
    tick(21_000);
    // The question that finds it old starts a read, and is answered the
    // tree there is; the questions after that read get the new one.
    expect(await ownership.withDescendants(['group:default/acme'])).toEqual([
      'group:default/acme',
      'group:default/platform',
    ]);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(await ownership.withDescendants(['group:default/acme'])).toEqual([
      'group:default/acme',
      'group:default/platform',
      'group:default/sre',
    ]);
    expect(await ownership.withAncestors(['group:default/sre'])).toEqual([
      'group:default/sre',
      'group:default/platform',
      'group:default/acme',
    ]);
  });

  it('does not hold questions while it is read again, unless the tree is five ages old', async () => {
    const { ownership, queries, tick } = setUp();
    await ownership.tree();
    // The catalog slow, then down.
    let release!: () => void;
    const slow = new Promise<void>(resolve => {
      release = resolve;
    });
    const healthy = catalogServiceMock({
      entities: [group('acme', ['platform']), group('platform', [], 'acme')],
    }).queryEntities;
    queries.mockImplementation(async (request, options) => {
      await slow;
      return healthy(request, options);
    });
    tick(31_000);
    // Answered at once from the tree there is, while the read waits.
    expect((await ownership.tree()).size).toBe(2);
    expect(await ownership.withAncestors(['group:default/platform'])).toEqual([
      'group:default/platform',
      'group:default/acme',
    ]);
    expect(queries).toHaveBeenCalledTimes(2);
    release();
    await new Promise(resolve => setTimeout(resolve, 0));

    queries.mockRejectedValue(new Error('catalog unavailable'));
    tick(60_000);
    expect((await ownership.tree()).size).toBe(2); // 60 s old: answered
    tick(90_000); // 150 s: five ages, too old to answer
    await expect(ownership.tree()).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
  });

  it('is read again at once when asked for a fresh one', async () => {
    const { ownership, queries, tick } = setUp();
    await ownership.tree();
    tick(1_000);
    await ownership.tree();
    expect(queries).toHaveBeenCalledTimes(1);
    await ownership.tree({ fresh: true });
    expect(queries).toHaveBeenCalledTimes(2);
    // And kept from then on.
    await ownership.tree();
    expect(queries).toHaveBeenCalledTimes(2);
  });

  it('is read again after a failed read', async () => {
    const { catalog, ownership } = setUp(0);
    const healthy = catalogServiceMock({
      entities: [group('acme', ['platform']), group('platform', [], 'acme')],
    });
    jest
      .spyOn(catalog, 'queryEntities')
      .mockRejectedValueOnce(new Error('catalog unavailable'))
      .mockImplementation((request, options) =>
        healthy.queryEntities(request, options),
      );
    // 503, saying what failed: the catalog, not this plugin.
    await expect(ownership.tree()).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining(
        'The catalog could not be read: catalog unavailable',
      ),
    });
    expect((await ownership.tree()).size).toBe(2);
  });

  it('keeps what a group owns for the same age: one read for a crowd, an owner change followed after it', async () => {
    const owned = [component('web', 'platform'), component('db', 'platform')];
    const catalog = catalogServiceMock({
      entities: [
        group('acme', ['platform']),
        group('platform', [], 'acme'),
        ...owned,
      ],
    });
    let now = 1_000_000;
    const ownership = new CatalogOwnership(catalog, mockServices.auth(), {
      now: () => now,
    });
    const queries = jest.spyOn(catalog, 'queryEntities');
    const ask = () =>
      ownership.ownedEntities('group:default/acme', {
        kinds: ['Component'],
        fields: ['spec.owner'],
      });
    // Fifty people opening the team's page at once: the tree and one read.
    const answers = await Promise.all(Array.from({ length: 50 }, ask));
    expect(queries).toHaveBeenCalledTimes(2);
    expect(answers.every(a => refsOf(a).length === 2)).toBe(true);
    // A caller changing its answer does not change the next caller's.
    answers[0].pop();
    expect(refsOf(await ask())).toEqual([
      'component:default/db',
      'component:default/web',
    ]);
    // Other fields or kinds are another question.
    await ownership.ownedEntities('group:default/acme', { kinds: ['System'] });
    expect(queries).toHaveBeenCalledTimes(3);

    // db moves to another team; within the age the answer stays.
    const moved = catalogServiceMock({
      entities: [
        group('acme', ['platform']),
        group('platform', [], 'acme'),
        component('web', 'platform'),
        component('db', 'elsewhere'),
      ],
    });
    queries.mockImplementation((request, options) =>
      moved.queryEntities(request, options),
    );
    now += 29_000;
    expect(refsOf(await ask())).toHaveLength(2);
    now += 2_000;
    // Past the age: the question that finds it old is answered what is
    // kept while one read runs behind it; the questions after get the move.
    expect(refsOf(await ask())).toHaveLength(2);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(refsOf(await ask())).toEqual(['component:default/web']);
  });

  it('does not keep a failed read of what a group owns', async () => {
    const catalog = catalogServiceMock({
      entities: [group('platform'), component('web', 'platform')],
    });
    const ownership = new CatalogOwnership(catalog, mockServices.auth());
    await ownership.tree();
    const queries = jest
      .spyOn(catalog, 'queryEntities')
      .mockRejectedValueOnce(new Error('catalog unavailable'));
    await expect(
      ownership.ownedEntities('group:default/platform'),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(
      refsOf(await ownership.ownedEntities('group:default/platform')),
    ).toEqual(['component:default/web']);
    expect(queries).toHaveBeenCalledTimes(2);
  });

  it("finds a user's teams in the groups' members, without reading the user", async () => {
    const withMembers = (entity: Entity, members: string[]): Entity => ({
      ...entity,
      relations: [
        ...(entity.relations ?? []),
        ...members.map(m => ({ type: 'hasMember', targetRef: m })),
      ],
    });
    const catalog = catalogServiceMock({
      entities: [
        withMembers(group('acme', ['platform']), []),
        withMembers(group('platform', [], 'acme'), ['user:default/Noor']),
        withMembers(group('guild'), ['user:default/noor']),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'User',
          metadata: { name: 'newcomer', namespace: 'default' },
          spec: { memberOf: ['platform'] },
          relations: [
            { type: 'memberOf', targetRef: 'group:default/platform' },
          ],
        },
      ],
    });
    const reads = jest.spyOn(catalog, 'getEntityByRef');
    const ownership = new CatalogOwnership(catalog, mockServices.auth());
    expect(await ownership.groupsOf('user:default/noor')).toEqual([
      'group:default/platform',
      'group:default/guild',
    ]);
    expect(await ownership.roleGroupsOf('user:default/noor')).toEqual([
      'group:default/platform',
      'group:default/guild',
      'group:default/acme',
    ]);
    expect(reads).not.toHaveBeenCalled();
    // No group names the newcomer yet (the catalog has not stitched the
    // group since): their own memberOf is read.
    expect(await ownership.groupsOf('user:default/newcomer')).toEqual([
      'group:default/platform',
    ]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await ownership.groupsOf('user:default/nobody')).toEqual([]);
  });

  it('takes its age from ownership.groupTreeMaxAge', async () => {
    const catalog = catalogServiceMock({ entities });
    const queries = jest.spyOn(catalog, 'queryEntities');
    const ownership = CatalogOwnership.fromConfig(
      new ConfigReader({ ownership: { groupTreeMaxAge: { seconds: 0 } } }),
      { catalog, auth: mockServices.auth() },
    );
    await ownership.tree();
    await ownership.tree();
    expect(queries).toHaveBeenCalledTimes(2);
  });
});

describe('when the catalog fails', () => {
  const failing = (error: Error) => {
    const catalog = catalogServiceMock({ entities });
    jest.spyOn(catalog, 'queryEntities').mockRejectedValue(error);
    jest.spyOn(catalog, 'getEntityByRef').mockRejectedValue(error);
    return new CatalogOwnership(catalog, mockServices.auth(), { maxAgeMs: 0 });
  };

  it('answers 503 when the catalog is down or answers 5xx', async () => {
    for (const error of [
      new TypeError('fetch failed'),
      Object.assign(new Error('Request failed with 502 Bad Gateway'), {
        statusCode: 502,
      }),
    ]) {
      const ownership = failing(error);
      await expect(
        ownership.ownedEntities('group:default/team-a'),
      ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
      await expect(
        ownership.roleGroupsOf('user:default/kira'),
      ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    }
  });

  it("passes on the catalog's own 4xx", async () => {
    const refused = Object.assign(new Error('Forbidden'), {
      name: 'NotAllowedError',
      statusCode: 403,
    });
    await expect(
      failing(refused).readAll({ filter: { kind: 'component' } }),
    ).rejects.toBe(refused);
  });
});
