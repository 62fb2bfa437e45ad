import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { testDatabaseIds } from '@portal/test-utils';
import { createSecopsStores } from '../database/createSecopsStores';
import { OffPathExceptions } from './OffPathExceptions';
import { SecopsAccess } from './SecopsAccess';

const databases = TestDatabases.create({ ids: testDatabaseIds() });
const DAY = 86_400_000;

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-checkout' },
};

describe.each(databases.eachSupportedId())(
  'Off-path exceptions ending, on %p',
  id => {
    it('tells the owners a week before an approved exception ends, once, and not of pending, rejected or distant ones', async () => {
      const knex = await databases.init(id);
      const stores = await createSecopsStores({
        database: mockServices.database({ knex }),
      });
      const now = new Date('2026-12-07T09:00:00Z');
      const at = (days: number) => new Date(now.getTime() + days * DAY);
      const sent: NotificationSendOptions[] = [];
      const offPath = new OffPathExceptions({
        access: {
          readEntities: async (refs: string[]) =>
            refs.includes('component:default/payments-api') ? [payments] : [],
        } as unknown as SecopsAccess,
        store: stores.offPath,
        notices: stores.notices,
        notifications: {
          send: async (n: NotificationSendOptions) => {
            sent.push(n);
          },
        },
      });
      const ask = async (
        workload: string,
        endsInDays: number,
        status?: 'approved' | 'rejected',
      ) => {
        const e = await stores.offPath.create(
          {
            entityRef: 'component:default/payments-api',
            namespace: 'ml-lab',
            workload,
            reason: 'An experiment the path does not cover yet',
            requestedBy: 'user:default/ben',
            expiresAt: at(endsInDays),
          },
          at(-30),
        );
        if (status) {
          await stores.offPath.decide(
            e.id,
            { status, decidedBy: 'user:default/security-lead' },
            at(-29),
          );
        }
      };
      await ask('soon', 5, 'approved');
      await ask('later', 20, 'approved');
      await ask('pending', 3);
      await ask('rejected', 3, 'rejected');
      await ask('over', -2, 'approved');

      expect(await offPath.sweep(now)).toBe(1);
      expect(sent).toEqual([
        expect.objectContaining({
          recipients: {
            type: 'entity',
            entityRef: ['group:default/team-checkout'],
          },
          payload: expect.objectContaining({
            title: 'Off-path exception for ml-lab/soon ends in 5 days',
            severity: 'high',
            topic: 'secops-off-path',
          }),
        }),
      ]);
      // Again, or on another replica: nobody is told twice.
      expect(await offPath.sweep(at(1 / 24))).toBe(0);
      // Two weeks on, the later one comes within the week.
      expect(await offPath.sweep(at(14))).toBe(1);
      expect(sent[1].payload.title).toBe(
        'Off-path exception for ml-lab/later ends in 6 days',
      );
      expect(sent).toHaveLength(2);
    }, 60_000);
  },
);
