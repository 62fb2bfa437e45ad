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
});
