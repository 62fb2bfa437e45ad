import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { GroupTree } from '@portal/catalog-ownership';
import { testDatabaseIds } from '@portal/test-utils';
import { createFinopsStores } from '../database/createFinopsStores';
import { daysBetween } from '../database/days';
import { CostCatalogSnapshot, CostEntity } from './CostCatalog';
import { CostDigest } from './CostDigest';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-checkout', namespace: 'default' },
  spec: { type: 'team', profile: { displayName: 'Checkout Team' } },
};
const payments: CostEntity = {
  ref: 'component:default/payments-api',
  kind: 'component',
  title: 'payments-api',
  ownerRef: 'group:default/team-checkout',
};
const cart: CostEntity = {
  ref: 'component:default/cart',
  kind: 'component',
  title: 'cart',
  ownerRef: 'group:default/team-checkout',
};
const ordersDb: CostEntity = {
  ref: 'resource:default/orders-db',
  kind: 'resource',
  title: 'orders-db',
  ownerRef: 'group:default/team-checkout',
};
const snapshot: CostCatalogSnapshot = {
  entities: new Map([
    [payments.ref, payments],
    [cart.ref, cart],
    [ordersDb.ref, ordersDb],
  ]),
  byOwner: new Map([
    ['group:default/team-checkout', [payments, cart, ordersDb]],
  ]),
  tree: GroupTree.fromEntities([team]),
};

describe.each(databases.eachSupportedId())('CostDigest on %p', id => {
  it('tells each team its week, the change and the top movers', async () => {
    const knex = await databases.init(id);
    const stores = await createFinopsStores({
      database: mockServices.database({ knex }),
    });
    // Two weeks: payments doubles in the second, cart stays.
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-18',
      to: '2026-10-31',
      rows: daysBetween('2026-10-18', '2026-10-31').flatMap(day => [
        {
          day,
          tagValue: payments.ref,
          entityRef: payments.ref,
          service: 'EC2',
          amount: day >= '2026-10-25' ? 20 : 10,
          currency: 'USD',
        },
        {
          day,
          tagValue: cart.ref,
          entityRef: cart.ref,
          service: 'EC2',
          amount: 5,
          currency: 'USD',
        },
      ]),
    });
    const digest = new CostDigest(stores, 'USD');
    const [week] = await digest.build(snapshot);
    expect(week).toMatchObject({
      groupRef: 'group:default/team-checkout',
      title: 'Checkout Team',
      from: '2026-10-25',
      to: '2026-10-31',
      amount: 175,
      previous: 105,
    });
    expect(week.untagged).toEqual(['orders-db']);
    expect(week.movers[0]).toEqual({
      ref: payments.ref,
      title: 'payments-api',
      amount: 140,
      change: 70,
    });
    expect(digest.describe(week)).toEqual({
      title: 'Cloud cost of Checkout Team last week: $175',
      description: [
        '2026-10-25 to 2026-10-31: $175 (+67% on the week before).',
        'payments-api: $140 (+$70)',
        'cart: $35 (+$0)',
        'No tagged spend in 30 days, check their cost-allocation tags: orders-db',
      ].join('\n'),
    });

    const notifications = { send: jest.fn() };
    expect(await digest.send(snapshot, notifications as any)).toBe(1);
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({
        recipients: {
          type: 'entity',
          entityRef: 'group:default/team-checkout',
        },
        payload: expect.objectContaining({
          link: '/catalog/default/group/team-checkout/cost',
          topic: 'finops-weekly-digest',
        }),
      }),
    );
  });
});
