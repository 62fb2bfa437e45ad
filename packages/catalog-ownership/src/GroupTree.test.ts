import { Entity } from '@backstage/catalog-model';
import { GroupTree } from './GroupTree';

function group(
  name: string,
  type: string,
  parent?: string,
  displayName?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type, profile: displayName ? { displayName } : undefined },
    relations: parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : [],
  };
}

describe('GroupTree', () => {
  const tree = GroupTree.fromEntities([
    group('acme', 'organization', undefined, 'Acme Corp'),
    group('engineering', 'department', 'acme'),
    group('team-checkout', 'team', 'engineering'),
    group('payments-squad', 'squad', 'team-checkout'),
    group('sre', 'unit', 'acme'),
    group('oncall', 'team', 'sre'),
    group('orphan', 'team', 'missing-parent'),
  ]);

  it('walks down and up the tree', () => {
    expect(tree.withDescendants('group:default/engineering')).toEqual([
      'group:default/engineering',
      'group:default/team-checkout',
      'group:default/payments-squad',
    ]);
    expect(tree.ancestorsOf('group:default/payments-squad')).toEqual([
      'group:default/team-checkout',
      'group:default/engineering',
      'group:default/acme',
    ]);
    expect(tree.get('group:default/acme')?.title).toBe('Acme Corp');
  });

  it('finds departments by type, else the level below the root', () => {
    expect(tree.departmentOf('group:default/payments-squad')).toBe(
      'group:default/engineering',
    );
    expect(tree.departmentOf('group:default/oncall')).toBe('group:default/sre');
    expect(tree.departmentOf('group:default/acme')).toBe('group:default/acme');
    expect(tree.departmentOf('group:default/unknown')).toBeUndefined();
  });

  it('treats a group whose parent is missing as a root', () => {
    expect(tree.roots().map(r => r.ref)).toEqual([
      'group:default/acme',
      'group:default/orphan',
    ]);
  });

  it('follows spec.children as well as spec.parent, and never loops', () => {
    const named: Entity[] = [
      {
        ...group('org', 'organization'),
        relations: [{ type: 'parentOf', targetRef: 'group:default/web' }],
      },
      // web names no parent; org names it as a child.
      group('web', 'team'),
      {
        ...group('loop-a', 'team', 'loop-b'),
        relations: [
          { type: 'childOf', targetRef: 'group:default/loop-b' },
          { type: 'parentOf', targetRef: 'group:default/loop-b' },
        ],
      },
      group('loop-b', 'team', 'loop-a'),
    ];
    const both = GroupTree.fromEntities(named);
    expect(both.withDescendants('group:default/org')).toEqual([
      'group:default/org',
      'group:default/web',
    ]);
    expect(both.withAncestorsOfAll(['group:default/web'])).toEqual([
      'group:default/web',
      'group:default/org',
    ]);
    expect(both.get('group:default/web')?.parentRef).toBe('group:default/org');
    expect(both.withDescendants('group:default/loop-a').sort()).toEqual([
      'group:default/loop-a',
      'group:default/loop-b',
    ]);
    expect(both.withDescendantsOfAll(['group:default/unknown'])).toEqual([
      'group:default/unknown',
    ]);
  });
});
