import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { TeamPosture } from '@portal/plugin-secops-common';
import { NoticeStore } from '../database/NoticeStore';
import { sendNotice } from './FindingNotices';

const DAY = 86_400_000;

/** The Monday (UTC) of the week `now` is in, as YYYY-MM-DD. */
export function weekOf(now: Date): string {
  const day = Math.floor(now.getTime() / DAY);
  // 1970-01-01 was a Thursday: Monday is 3 days before a day 0.
  const monday = day - ((day + 3) % 7);
  return new Date(monday * DAY).toISOString().slice(0, 10);
}

/**
 * The weekly security digest: each team that owns something hears, on
 * Monday morning, what is open (critical and high), overdue and known to
 * be exploited, with a link to its Security tab. Once per team and week
 * (secops_notices_sent), whichever replica runs it; its scope names the
 * team, so this week's replaces last week's in the team's inbox.
 */
export class SecurityDigest {
  constructor(
    private readonly deps: {
      store: NoticeStore;
      teams: () => Promise<TeamPosture[]>;
      notifications: NotificationService;
      logger?: LoggerService;
    },
  ) {}

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-weekly-digest',
      frequency: { cron: '0 7 * * 1' },
      timeout: { minutes: 10 },
      fn: async () => {
        await this.send(new Date());
      },
    });
  }

  /** Sends this week's digests not sent yet; returns how many went out. */
  async send(now: Date): Promise<number> {
    const { store } = this.deps;
    const week = weekOf(now);
    // Every team had this week's: nothing to compute (the task also runs
    // at each start, so a restart mid-week costs one read, not the
    // organisation's posture).
    const weekKey = `digest-week:${week}`;
    if ((await store.unsent([weekKey])).length === 0) return 0;
    const teams = (await this.deps.teams()).filter(team => team.entities > 0);
    const keyOf = (team: TeamPosture) => `digest:${team.groupRef}:${week}`;
    const unsent = new Set(await store.unsent(teams.map(keyOf)));
    let sent = 0;
    for (const team of teams) {
      if (!unsent.has(keyOf(team))) continue;
      const { namespace, name } = parseEntityRef(team.groupRef);
      const { critical, high } = team.open;
      const delivered = await sendNotice(
        this.deps,
        {
          recipients: { type: 'entity', entityRef: team.groupRef },
          payload: {
            title: `Security this week for ${team.title}: ${critical} critical, ${high} high open`,
            description: `${team.overdue} overdue, ${
              team.knownExploited
            } known exploited; ${team.scanned} of ${team.entities} ${
              team.entities === 1 ? 'entity' : 'entities'
            } scanned.`,
            link: `/catalog/${namespace}/group/${name}/security`,
            severity: critical + team.knownExploited > 0 ? 'high' : 'normal',
            topic: 'secops-digest',
            scope: `secops:digest:${team.groupRef}`,
          },
        },
        `${team.groupRef} of its digest`,
      );
      if (delivered) {
        await store.markSent([keyOf(team)], now);
        sent += 1;
      }
    }
    if (sent === unsent.size) await store.markSent([weekKey], now);
    return sent;
  }
}
