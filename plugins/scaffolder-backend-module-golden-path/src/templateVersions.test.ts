import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  compareVersions,
  registerTemplateVersionsAction,
} from './templateVersions';

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
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { owner },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

const entities = [
  template('new-service', '1.10.0'),
  template('adopt', '1.1.0'),
  service('checkout-service', 'team-checkout', {
    'acme.example/template': 'new-service',
    'acme.example/template-version': '1.9.2',
  }),
  service('cart-service', 'team-checkout', {
    'acme.example/template': 'new-service',
    'acme.example/template-version': '1.10.0',
  }),
  service('legacy-billing', 'team-platform', {
    'acme.example/template': 'adopt',
    'acme.example/template-version': '1.0.0',
  }),
  service('hand-made', 'team-platform', {}),
];

describe('golden-path template versions', () => {
  it('compares dotted versions as numbers', () => {
    expect(compareVersions('1.9.2', '1.10.0')).toBe(-1);
    expect(compareVersions('1.10.0', '1.10')).toBe(0);
    expect(compareVersions('2.0.0', '1.99.9')).toBe(1);
  });

  it("lists each service's template and version, which are behind, by owner and paged", async () => {
    const registry = actionsRegistryServiceMock();
    registerTemplateVersionsAction(registry, catalogServiceMock({ entities }));
    const credentials = mockCredentials.user('user:default/maya-patel');
    const call = async (input: object) =>
      (
        await registry.invoke({
          id: 'test:get-template-versions',
          input: input as any,
          credentials,
        })
      ).output as any;

    const all = await call({});
    expect(all.templates).toEqual([
      { template: 'new-service', version: '1.10.0' },
      { template: 'adopt', version: '1.1.0' },
    ]);
    expect(
      all.items.map((s: any) => [s.entityRef, s.version, s.current, s.behind]),
    ).toEqual([
      ['component:default/cart-service', '1.10.0', '1.10.0', false],
      ['component:default/checkout-service', '1.9.2', '1.10.0', true],
      ['component:default/legacy-billing', '1.0.0', '1.1.0', true],
    ]);
    expect(all.behindCount).toBe(2);

    const behind = await call({
      behindOnly: true,
      ownerRef: 'group:default/team-checkout',
    });
    expect(behind.items.map((s: any) => s.entityRef)).toEqual([
      'component:default/checkout-service',
    ]);

    const first = await call({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe('2');
    const next = await call({ limit: 2, cursor: first.nextCursor });
    expect(next.items.map((s: any) => s.entityRef)).toEqual([
      'component:default/legacy-billing',
    ]);
  });
});
