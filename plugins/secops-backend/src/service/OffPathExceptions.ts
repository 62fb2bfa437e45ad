import {
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ownerRefsOf } from '@portal/catalog-ownership';
import {
  OffPathException,
  Page,
  secopsExemptionRequestPermission,
} from '@portal/plugin-secops-common';
import { NoticeStore } from '../database/NoticeStore';
import { OffPathState, OffPathStore } from '../database/OffPathStore';
import { admissionBindings } from '../offPath/admission';
import { requireEndWithin } from './ExemptionService';
import { sendNotice } from './FindingNotices';
import { SecopsAccess } from './SecopsAccess';

/** The longest an off-path exception may last. */
export const MAX_OFF_PATH_DAYS = 180;
/** Its owners hear this many days before it ends. */
export const ENDING_NOTICE_DAYS = 7;
const DAY = 86_400_000;

/** Where the portal lists them. */
const LIST_PAGE = '/off-path';

/**
 * Off-path exceptions: a workload let off the golden path (the cluster's
 * admission policy refuses it otherwise) in one namespace, for a reason,
 * until a date. The same flow as exemptions: the entity's owners ask
 * (secops.exemption.request on the entity), someone else of the security
 * team decides (secops.exemption.decide), at most MAX_OFF_PATH_DAYS. The
 * approved, unexpired ones are rendered into the admission bindings; the
 * owners hear of the decision, and ENDING_NOTICE_DAYS before the end.
 */
export class OffPathExceptions {
  constructor(
    private readonly deps: {
      access: SecopsAccess;
      store: OffPathStore;
      notices: NoticeStore;
      notifications?: NotificationService;
      logger?: LoggerService;
    },
  ) {}

  async request(
    credentials: BackstageCredentials,
    body: {
      entityRef: string;
      namespace: string;
      workload: string;
      reason: string;
      expiresAt: Date;
    },
  ): Promise<OffPathException> {
    const { access, store } = this.deps;
    const now = new Date();
    requireEndWithin(
      body.expiresAt,
      now,
      MAX_OFF_PATH_DAYS,
      'An off-path exception',
    );
    const entity = await access.requireEntity(body.entityRef);
    const caller = await access.authorize(
      credentials,
      secopsExemptionRequestPermission,
      body.entityRef,
    );
    return store.create(
      {
        entityRef: stringifyEntityRef(entity),
        namespace: body.namespace,
        workload: body.workload,
        reason: body.reason,
        requestedBy: caller.principal,
        expiresAt: body.expiresAt,
      },
      now,
    );
  }

  /**
   * The security team's decision; nobody decides their own request. The
   * owners hear of it.
   */
  async decide(
    credentials: BackstageCredentials,
    id: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<OffPathException> {
    const { access, store } = this.deps;
    await access.requireSecurityTeam(
      credentials,
      'approve or reject off-path exceptions',
    );
    const decidedBy = access.caller(credentials).principal;
    const requested = await store.get(id, new Date());
    if (requested?.requestedBy.toLowerCase() === decidedBy.toLowerCase()) {
      throw new NotAllowedError(
        'You asked for this exception: someone else in the security team must decide it',
      );
    }
    const decided = await store.decide(
      id,
      {
        status: decision.decision === 'approve' ? 'approved' : 'rejected',
        decidedBy,
        comment: decision.comment,
      },
      new Date(),
    );
    const [entity] = await access.readEntities([decided.entityRef]);
    await this.tellOwners(entity, decided, {
      title: `Off-path exception for ${decided.namespace}/${decided.workload} ${
        decision.decision === 'approve' ? 'approved' : 'rejected'
      }`,
      description:
        decision.decision === 'approve'
          ? `Until ${decided.expiresAt.slice(0, 10)}: ${decided.reason}`
          : decided.decisionComment ?? decided.reason,
      severity: 'normal',
    });
    return decided;
  }

  /**
   * A page of them, each with its entity's owner: every person may read
   * the register, machines with the secops.read grant.
   */
  async list(
    credentials: BackstageCredentials,
    query: { state?: OffPathState; limit: number; cursor?: string },
  ): Promise<Page<OffPathException>> {
    const { access, store } = this.deps;
    access.requireMachineGrant(
      credentials,
      'secops.read',
      'read the off-path exceptions',
    );
    const page = await store.list({ ...query, now: new Date() });
    const refs = [...new Set(page.items.map(e => e.entityRef))];
    const owners = new Map(
      (await access.readEntities(refs)).map(entity => [
        stringifyEntityRef(entity).toLowerCase(),
        ownerRefsOf(entity)[0],
      ]),
    );
    return {
      ...page,
      items: page.items.map(e => {
        const owner = owners.get(e.entityRef.toLowerCase());
        return owner ? { ...e, owner } : e;
      }),
    };
  }

  /** The admission bindings with the exceptions active now left out. */
  async admission(credentials: BackstageCredentials) {
    this.deps.access.requireMachineGrant(
      credentials,
      'secops.read',
      'read the admission bindings',
    );
    return admissionBindings(await this.deps.store.active(new Date()));
  }

  /** Runs every hour, once across replicas (the scheduler's lock). */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-off-path-ending',
      frequency: { hours: 1 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 2 },
      fn: async () => {
        await this.sweep(new Date());
      },
    });
  }

  /**
   * Tells the owners of each exception that ends within
   * ENDING_NOTICE_DAYS, once each (kept in secops_notices_sent, so another
   * sweep or replica tells nobody twice); returns how many were told.
   */
  async sweep(now: Date): Promise<number> {
    const { store, notices, access } = this.deps;
    const ending = await store.endingBetween(
      now,
      new Date(now.getTime() + ENDING_NOTICE_DAYS * DAY),
    );
    const keyOf = (e: OffPathException) => `off-path-ending:${e.id}`;
    const fresh = new Set(await notices.unsent(ending.map(keyOf)));
    const due = ending.filter(e => fresh.has(keyOf(e)));
    if (!due.length) return 0;
    const entities = new Map(
      (await access.readEntities([...new Set(due.map(e => e.entityRef))])).map(
        e => [stringifyEntityRef(e).toLowerCase(), e],
      ),
    );
    let told = 0;
    for (const e of due) {
      const days = Math.max(
        1,
        Math.ceil((Date.parse(e.expiresAt) - now.getTime()) / DAY),
      );
      const sent = await this.tellOwners(
        entities.get(e.entityRef.toLowerCase()),
        e,
        {
          title: `Off-path exception for ${e.namespace}/${
            e.workload
          } ends in ${days} ${days === 1 ? 'day' : 'days'}`,
          description: `Bring it onto the golden path or ask for a new exception before ${e.expiresAt.slice(
            0,
            10,
          )}; the cluster refuses it after that.`,
          severity: 'high',
        },
      );
      if (sent) {
        await notices.markSent([keyOf(e)], now);
        told += 1;
      }
    }
    return told;
  }

  private async tellOwners(
    entity: Entity | undefined,
    exception: OffPathException,
    payload: {
      title: string;
      description: string;
      severity: 'normal' | 'high';
    },
  ): Promise<boolean> {
    const owners = entity ? ownerRefsOf(entity) : [];
    if (!owners.length) return false;
    return sendNotice(
      this.deps,
      {
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          ...payload,
          link: LIST_PAGE,
          topic: 'secops-off-path',
          scope: `off-path:${exception.id}`,
        },
      },
      `the owners of ${exception.entityRef} of their off-path exception`,
    );
  }
}
