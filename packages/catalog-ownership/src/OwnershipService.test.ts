import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GroupHierarchy, refsOf } from './GroupHierarchy';

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

describe('GroupHierarchy', () => {
  const hierarchy = new GroupHierarchy(
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
    expect((await hierarchy.roleGroupsOf('user:default/kira')).sort()).toEqual([
      'group:default/acme',
      'group:default/appsec',
      'group:default/security',
    ]);
    expect(await hierarchy.roleGroupsOf('user:default/nobody')).toEqual([]);
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
      const bulk = await new GroupHierarchy(
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
    const bulk = await new GroupHierarchy(
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
});
