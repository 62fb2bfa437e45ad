import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { ownerRefsOf } from '@portal/catalog-ownership';
import { GateDecision, IngestResult } from '@portal/plugin-secops-common';
import { FindingStore } from '../database/types';

/** How many findings a notification names. */
const NAMED = 3;

/**
 * Sends a notification. One that could not be sent is logged, not thrown:
 * what it is about (a scan, an assignment) stands. Whether it went out.
 */
export async function sendNotice(
  deps: { notifications?: NotificationService; logger?: LoggerService },
  notification: NotificationSendOptions,
  about: string,
): Promise<boolean> {
  if (!deps.notifications) return false;
  try {
    await deps.notifications.send(notification);
    return true;
  } catch (error) {
    deps.logger?.warn(`Could not notify ${about}: ${error}`);
    return false;
  }
}

/** The entity's Security tab, where a notification leads. */
export function securityTabOf(entityRef: string) {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/security`;
}

/**
 * What the owning team hears of its findings through Backstage's
 * notifications (which also signal open pages to refresh): after a scan,
 * the critical and high findings it brought, new or back. One notification
 * per scan, and none for a scan that brought nothing (so the same report
 * uploaded twice notifies once: ingestion is idempotent); its scope names
 * the scan, so the notifications backend never keeps two of it. And when
 * the gate CI asks starts failing (it passed, or was never asked, before):
 * not again while it keeps failing; its scope names the entity, so a later
 * episode brings the one notification back as unread, not a second one.
 */
export class FindingNotices {
  constructor(
    private readonly deps: {
      findings: FindingStore;
      notifications?: NotificationService;
      logger?: LoggerService;
    },
  ) {}

  /** After a scan of `entity` (as the upload read it). */
  async afterScan(result: IngestResult, entity: Entity): Promise<void> {
    const { notifications, findings, logger } = this.deps;
    if (!notifications || result.created + result.reopened === 0) return;
    const owners = ownerRefsOf(entity);
    if (!owners.length) return;
    let appeared;
    try {
      appeared = await findings.appearedInScan(result.scanId, 'high', NAMED);
    } catch (error) {
      // The scan is stored; what it brought is not told.
      logger?.warn(
        `Could not read what scan ${result.scanId} brought: ${error}`,
      );
      return;
    }
    if (appeared.totalCount === 0) return;
    const n = appeared.totalCount;
    const critical = appeared.items.some(f => f.severity === 'critical');
    await sendNotice(
      this.deps,
      {
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          title: `${n} new critical or high ${
            n === 1 ? 'finding' : 'findings'
          } in ${entity.metadata.title ?? entity.metadata.name}`,
          description: `${result.tool} found: ${appeared.items
            .map(f => `${f.severity} ${f.title}`)
            .join('; ')}${n > NAMED ? `; and ${n - NAMED} more` : ''}.`,
          link: securityTabOf(result.entityRef),
          severity: critical ? 'critical' : 'high',
          topic: 'secops-new-findings',
          scope: `secops:scan:${result.scanId}`,
        },
      },
      `the owners of ${result.entityRef} of scan ${result.scanId}`,
    );
  }

  async gateDecided(
    entity: Entity,
    previous: GateDecision | undefined,
    decision: GateDecision,
  ): Promise<void> {
    if (!this.deps.notifications || decision.passed) return;
    if (previous && !previous.passed) return;
    const owners = ownerRefsOf(entity);
    if (!owners.length) return;
    const failed = decision.reasons.filter(reason => !reason.passed);
    await sendNotice(
      this.deps,
      {
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          title: `The ${decision.gate} gate now fails for ${
            entity.metadata.title ?? entity.metadata.name
          }`,
          description: `${failed
            .map(reason => reason.message)
            .join('; ')}. CI is stopped until it passes again.`,
          link: securityTabOf(decision.entityRef),
          severity: 'high',
          topic: 'secops-gate',
          scope: `secops:gate-failing:${decision.entityRef}`,
        },
      },
      `the owners of ${decision.entityRef} of its gate`,
    );
  }
}
