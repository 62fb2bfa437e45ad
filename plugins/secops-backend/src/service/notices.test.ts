import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { ParsedFinding } from '@portal/plugin-secops-common';
import { testDatabaseIds } from '@portal/test-utils';
import { createSecopsStores } from '../database/createSecopsStores';
import { readSecopsOptions } from './options';
import { SlaNotices } from './SlaNotices';
import { SecurityDigest, weekOf } from './SecurityDigest';
import { ConfigReader } from '@backstage/config';

const databases = TestDatabases.create({ ids: testDatabaseIds() });
const DAY = 86_400_000;

const finding = (
  n: number,
  severity: ParsedFinding['severity'],
): ParsedFinding => ({
  fingerprint: `fp-${n}`,
  category: 'sca',
  severity,
  ruleId: `CVE-2024-${1000 + n}`,
  title: `Vulnerable package ${n}`,
});

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-checkout' },
};

describe.each(databases.eachSupportedId())('The SLA sweep on %p', id => {
  it('announces findings nearing and passing their SLA to the owners and assignees, each once', async () => {
    const knex = await databases.init(id);
    const stores = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    // SLA: critical 7 days, high 30, medium 90 (defaults).
    const options = readSecopsOptions(new ConfigReader({}));
    const seen = new Date('2026-03-01T00:00:00Z');
    const scan = await stores.findings.ingest(
      {
        entityRef: 'component:default/payments-api',
        tool: 'trivy',
        format: 'trivy',
        uploadedBy: 'ci',
        reportSha256: 'a',
        findings: [
          finding(1, 'critical'),
          finding(2, 'critical'),
          finding(3, 'high'),
          finding(4, 'medium'),
        ],
      },
      seen,
    );
    const [first] = await stores.findings.getFindings(['1']);
    await stores.findings.assign([first.id], {
      assignee: 'user:default/alice',
      by: 'user:default/ben',
      at: seen,
    });
    expect(scan.created).toBe(4);
    const sent: NotificationSendOptions[] = [];
    const sla = new SlaNotices({
      store: stores.notices,
      options,
      readEntities: async refs =>
        refs.includes('component:default/payments-api') ? [payments] : [],
      notifications: { send: async n => void sent.push(n) },
    });
    const at = (days: number) => new Date(seen.getTime() + days * DAY);

    // Day 2: nothing is due within 3 days yet.
    expect(await sla.sweep(at(2))).toBe(0);
    // Day 5: both criticals are due on day 7.
    expect(await sla.sweep(at(5))).toBe(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-checkout', 'user:default/alice'],
    });
    expect(sent[0].payload).toMatchObject({
      title: '2 critical or high findings of payments-api due within 3 days',
      link: '/catalog/default/component/payments-api/security',
      topic: 'secops-sla',
    });
    // Again the same day, and the next: told once.
    expect(await sla.sweep(at(5))).toBe(0);
    expect(await sla.sweep(at(6))).toBe(0);
    // Day 8: they passed it.
    expect(await sla.sweep(at(8))).toBe(1);
    expect(sent[1].payload.title).toBe(
      '2 critical or high findings of payments-api passed their SLA',
    );
    expect(sent[1].payload.severity).toBe('high');
    expect(await sla.sweep(at(9))).toBe(0);
    // Day 28: the high nears its 30 days; the medium never is announced.
    expect(await sla.sweep(at(28))).toBe(1);
    expect(sent[2].payload.title).toBe(
      '1 critical or high finding of payments-api due within 3 days',
    );
    expect(await sla.sweep(at(31))).toBe(1);
    expect(await sla.sweep(at(100))).toBe(0);
    expect(sent).toHaveLength(4);
  });

  it('keeps a notice that could not be sent for the next sweep', async () => {
    const knex = await databases.init(id);
    const stores = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    const seen = new Date('2026-03-01T00:00:00Z');
    await stores.findings.ingest(
      {
        entityRef: 'component:default/payments-api',
        tool: 'trivy',
        format: 'trivy',
        uploadedBy: 'ci',
        reportSha256: 'a',
        findings: [finding(1, 'critical')],
      },
      seen,
    );
    let down = true;
    const sent: NotificationSendOptions[] = [];
    const sla = new SlaNotices({
      store: stores.notices,
      options: readSecopsOptions(new ConfigReader({})),
      readEntities: async () => [payments],
      notifications: {
        send: async n => {
          if (down) throw new Error('notifications unavailable');
          sent.push(n);
        },
      },
      logger: mockServices.logger.mock(),
    });
    const day5 = new Date(seen.getTime() + 5 * DAY);
    expect(await sla.sweep(day5)).toBe(0);
    down = false;
    expect(await sla.sweep(day5)).toBe(1);
    expect(sent).toHaveLength(1);
  });
});

describe.each(databases.eachSupportedId())(
  'The weekly security digest on %p',
  id => {
    it('tells each team that owns something its week, once per week', async () => {
      const knex = await databases.init(id);
      const stores = await createSecopsStores({
        database: mockServices.database({ knex }),
      });
      const team = (name: string, entities: number, critical: number) => ({
        groupRef: `group:default/${name}`,
        title: name,
        entities,
        scanned: entities,
        open: { critical, high: 1, medium: 0, low: 0, info: 0 },
        overdue: 2,
        knownExploited: 0,
      });
      const sent: NotificationSendOptions[] = [];
      const digest = new SecurityDigest({
        store: stores.notices,
        teams: async () => [team('team-checkout', 3, 1), team('empty', 0, 0)],
        notifications: { send: async n => void sent.push(n) },
      });
      // A Monday, and the Sunday after it: the same week.
      expect(await digest.send(new Date('2026-12-07T07:00:00Z'))).toBe(1);
      expect(await digest.send(new Date('2026-12-13T23:00:00Z'))).toBe(0);
      expect(sent[0]).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: 'group:default/team-checkout',
        },
        payload: {
          title:
            'Security this week for team-checkout: 1 critical, 1 high open',
          description: '2 overdue, 0 known exploited; 3 of 3 entities scanned.',
          link: '/catalog/default/group/team-checkout/security',
          severity: 'high',
          scope: 'secops:digest:group:default/team-checkout',
        },
      });
      expect(await digest.send(new Date('2026-12-14T07:00:00Z'))).toBe(1);
      expect(sent).toHaveLength(2);
    });
  },
);

describe('weekOf', () => {
  it('is the Monday of the week, in UTC', () => {
    expect(weekOf(new Date('2026-12-07T00:00:00Z'))).toBe('2026-12-07');
    expect(weekOf(new Date('2026-12-13T23:59:59Z'))).toBe('2026-12-07');
    expect(weekOf(new Date('2026-12-14T00:00:00Z'))).toBe('2026-12-14');
    expect(weekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28');
  });
});
