import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DashboardCollatorFactory } from './collator';

describe('DashboardCollatorFactory', () => {
  it('indexes each dashboard, authorised as its entity', async () => {
    const catalog = catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: {
            name: 'payments',
            namespace: 'default',
            links: [
              {
                url: 'https://metabase.acme.example/dashboard/31',
                title: 'Refunds and chargebacks',
                type: 'dashboard',
              },
              { url: 'https://runbooks.acme.example', title: 'Runbook' },
            ],
          },
          relations: [
            { type: 'ownedBy', targetRef: 'group:default/team-checkout' },
          ],
        },
      ],
    });
    const factory = new DashboardCollatorFactory(
      catalog,
      mockServices.auth.mock({
        getOwnServiceCredentials: async () =>
          ({ principal: { type: 'service', subject: 'bi' } } as any),
      }),
    );
    expect(factory.type).toBe('bi-dashboard');
    expect(factory.visibilityPermission.name).toBe('catalog.entity.read');
    const documents = [];
    for await (const document of await factory.getCollator()) {
      documents.push(document);
    }
    expect(documents).toEqual([
      {
        title: 'Refunds and chargebacks',
        text: 'Metabase dashboard of payments, owned by group:default/team-checkout, system system:default/payments',
        location: 'https://metabase.acme.example/dashboard/31',
        tool: 'Metabase',
        entityRef: 'system:default/payments',
        owner: 'group:default/team-checkout',
        authorization: { resourceRef: 'system:default/payments' },
      },
    ]);
  });
});
