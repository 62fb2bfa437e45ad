import { NotificationService } from '@backstage/plugin-notifications-node';
import { addDays } from '../database/days';
import { FinopsStores } from '../database/types';
import { CostCatalogSnapshot } from './CostCatalog';

/** One team's week of cloud cost, as the digest says it. */
export interface TeamDigest {
  groupRef: string;
  title: string;
  from: string;
  to: string;
  amount: number;
  previous: number;
  /** Entities whose spend moved most, with their change. */
  movers: Array<{ ref: string; title: string; amount: number; change: number }>;
  /** Anomalies of the week on the team's entities. */
  anomalies: string[];
  /**
   * The team's resources without any tagged spend in the last 30 days: in
   * the cloud they are most likely untagged, so their cost lands nowhere.
   */
  untagged: string[];
}

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  }).format(amount);

/**
 * The weekly cost digest: for every team (a group that owns something), its
 * spend over the last seven days of data against the seven before, the top
 * movers, the week's anomalies and the team's resources that had no tagged
 * spend for 30 days (most likely untagged in the cloud), sent to the team
 * through notifications so that cost comes up in stand-ups.
 */
export class CostDigest {
  constructor(
    private readonly stores: FinopsStores,
    private readonly currency: string,
  ) {}

  async build(snapshot: CostCatalogSnapshot): Promise<TeamDigest[]> {
    const to = await this.stores.lines.lastDay();
    if (!to) return [];
    const from = addDays(to, -6);
    const digests: TeamDigest[] = [];
    for (const [ownerRef, owned] of snapshot.byOwner) {
      const group = snapshot.tree.get(ownerRef);
      if (!group) continue; // owned by a user, not a team
      const refs = owned.map(e => e.ref);
      const [now, before, alerts, month] = await Promise.all([
        this.stores.entities.totalsByEntity(refs, from, to),
        this.stores.entities.totalsByEntity(
          refs,
          addDays(from, -7),
          addDays(from, -1),
        ),
        this.stores.alerts.listAlerts(refs, from),
        this.stores.entities.totalsByEntity(refs, addDays(to, -29), to),
      ]);
      const spent = new Set(month.filter(r => r.amount !== 0).map(r => r.key));
      const untagged = owned
        .filter(e => e.kind === 'resource' && !spent.has(e.ref))
        .map(e => e.title);
      const amount = now.reduce((t, r) => t + r.amount, 0);
      const previous = before.reduce((t, r) => t + r.amount, 0);
      if (amount === 0 && previous === 0) continue;
      const prior = new Map(before.map(r => [r.key, r.amount]));
      const current = new Map(now.map(r => [r.key, r.amount]));
      const movers = [...new Set([...current.keys(), ...prior.keys()])]
        .map(ref => ({
          ref,
          title: snapshot.entities.get(ref)?.title ?? ref,
          amount: current.get(ref) ?? 0,
          change: (current.get(ref) ?? 0) - (prior.get(ref) ?? 0),
        }))
        .sort((a, b) => Math.abs(b.change) - Math.abs(a.change))
        .slice(0, 3);
      digests.push({
        groupRef: group.ref,
        title: group.title,
        from,
        to,
        amount,
        previous,
        movers,
        anomalies: alerts.filter(a => a.kind === 'anomaly').map(a => a.message),
        untagged,
      });
    }
    return digests;
  }

  /** The notification text of one team's digest. */
  describe(digest: TeamDigest): { title: string; description: string } {
    const change =
      digest.previous === 0
        ? ''
        : ` (${digest.amount >= digest.previous ? '+' : ''}${Math.round(
            ((digest.amount - digest.previous) / digest.previous) * 100,
          )}% on the week before)`;
    const lines = [
      `${digest.from} to ${digest.to}: ${money(
        digest.amount,
        this.currency,
      )}${change}.`,
      ...digest.movers.map(
        m =>
          `${m.title}: ${money(m.amount, this.currency)} (${
            m.change >= 0 ? '+' : ''
          }${money(m.change, this.currency)})`,
      ),
      ...digest.anomalies.map(a => `Unusual spend: ${a}`),
      ...(digest.untagged.length
        ? [
            `No tagged spend in 30 days, check their cost-allocation tags: ${digest.untagged.join(
              ', ',
            )}`,
          ]
        : []),
    ];
    return {
      title: `Cloud cost of ${digest.title} last week: ${money(
        digest.amount,
        this.currency,
      )}`,
      description: lines.join('\n'),
    };
  }

  /** Builds and sends every team's digest; returns how many were sent. */
  async send(
    snapshot: CostCatalogSnapshot,
    notifications: NotificationService,
  ): Promise<number> {
    const digests = await this.build(snapshot);
    for (const digest of digests) {
      const [, namespace, name] = /^group:([^/]+)\/(.+)$/.exec(
        digest.groupRef,
      ) ?? ['', 'default', digest.groupRef];
      await notifications.send({
        recipients: { type: 'entity', entityRef: digest.groupRef },
        payload: {
          ...this.describe(digest),
          link: `/catalog/${namespace}/group/${name}/cost`,
          severity: 'normal',
          topic: 'finops-weekly-digest',
        },
      });
    }
    return digests.length;
  }
}
