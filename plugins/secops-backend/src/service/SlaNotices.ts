import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ownerRefsOf } from '@portal/catalog-ownership';
import { Severity } from '@portal/plugin-secops-common';
import {
  DueFinding,
  FirstSeenWindow,
  NoticeStore,
} from '../database/NoticeStore';
import { securityTabOf, sendNotice } from './FindingNotices';
import { SecopsOptions } from './options';

const DAY = 86_400_000;
/** "Nears its SLA": due within this many days. */
export const NEAR_DAYS = 3;
/** A finding that passed its SLA longer ago than this is not announced. */
const PASSED_WITHIN_DAYS = 30;
/** The severities whose SLA is announced. */
const ANNOUNCED: Severity[] = ['critical', 'high'];
/** At most this many findings per sweep (the rest come in the next). */
const PER_SWEEP = 5000;

type Kind = 'near' | 'passed';

/**
 * The SLA sweep: open critical and high findings that come within
 * NEAR_DAYS of their due date, and those that pass it, are announced to
 * the owning team (and to whom they are assigned): one notification per
 * entity and kind in a sweep, and each finding's notice once ever (kept in
 * secops_notices_sent), so a sweep run again, or on another replica after
 * a restart, tells nobody twice.
 */
export class SlaNotices {
  constructor(
    private readonly deps: {
      store: NoticeStore;
      options: SecopsOptions;
      readEntities: (entityRefs: string[]) => Promise<Entity[]>;
      notifications: NotificationService;
      logger?: LoggerService;
    },
  ) {}

  /** Runs every hour, once across replicas (the scheduler's lock). */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-sla-notices',
      frequency: { hours: 1 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 1 },
      fn: async () => {
        await this.sweep(new Date());
      },
    });
  }

  /** Sends what is due at `now`; returns how many notifications went out. */
  async sweep(now: Date): Promise<number> {
    const { store, options } = this.deps;
    const windows = (kind: Kind): FirstSeenWindow[] =>
      ANNOUNCED.flatMap(severity => {
        const days = options.slaDays[severity];
        if (days === undefined) return [];
        // Due at first seen + days: near when due is in (now, now + NEAR],
        // passed when due is in (now - PASSED_WITHIN, now].
        const dueAt = (offset: number) =>
          new Date(now.getTime() - days * DAY + offset * DAY);
        return kind === 'near'
          ? [{ severity, from: dueAt(0), to: dueAt(NEAR_DAYS) }]
          : [{ severity, from: dueAt(-PASSED_WITHIN_DAYS), to: dueAt(0) }];
      });
    let sent = 0;
    for (const kind of ['passed', 'near'] as Kind[]) {
      const found = await store.openFirstSeenIn(windows(kind), PER_SWEEP);
      const keyOf = (f: DueFinding) => `sla-${kind}:${f.id}`;
      const fresh = new Set(await store.unsent(found.map(keyOf)));
      const byEntity = new Map<string, DueFinding[]>();
      for (const finding of found) {
        if (!fresh.has(keyOf(finding))) continue;
        const list = byEntity.get(finding.entityRef) ?? [];
        list.push(finding);
        byEntity.set(finding.entityRef, list);
      }
      if (!byEntity.size) continue;
      const entities = new Map(
        (await this.deps.readEntities([...byEntity.keys()])).map(e => [
          stringifyEntityRef(e).toLowerCase(),
          e,
        ]),
      );
      for (const [entityRef, findings] of byEntity) {
        const entity = entities.get(entityRef.toLowerCase());
        if (await this.announce(kind, entityRef, entity, findings)) {
          await store.markSent(findings.map(keyOf), now);
          sent += 1;
        }
      }
    }
    return sent;
  }

  private async announce(
    kind: Kind,
    entityRef: string,
    entity: Entity | undefined,
    findings: DueFinding[],
  ): Promise<boolean> {
    const recipients = [
      ...new Set([
        ...(entity ? ownerRefsOf(entity) : []),
        ...findings.flatMap(f => (f.assignee ? [f.assignee] : [])),
      ]),
    ];
    // Nobody to tell: kept unsent, for when the entity has an owner.
    if (!recipients.length) return false;
    const n = findings.length;
    const name = entity?.metadata.title ?? entity?.metadata.name ?? entityRef;
    const what = `${n} critical or high ${n === 1 ? 'finding' : 'findings'}`;
    return sendNotice(
      this.deps,
      {
        recipients: { type: 'entity', entityRef: recipients },
        payload: {
          title:
            kind === 'near'
              ? `${what} of ${name} due within ${NEAR_DAYS} days`
              : `${what} of ${name} passed ${n === 1 ? 'its' : 'their'} SLA`,
          description: findings
            .slice(0, 3)
            .map(f => `${f.severity} ${f.title}`)
            .join('; '),
          link: securityTabOf(entityRef),
          severity: kind === 'passed' ? 'high' : 'normal',
          topic: 'secops-sla',
        },
      },
      `the owners of ${entityRef} of their SLA`,
    );
  }
}
