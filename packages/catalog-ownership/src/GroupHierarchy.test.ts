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
});
