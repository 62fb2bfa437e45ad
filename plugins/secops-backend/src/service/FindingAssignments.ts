import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ownerRefsOf, OwnershipService } from '@portal/catalog-ownership';
import {
  AssignmentResult,
  secopsFindingAssignPermission,
} from '@portal/plugin-secops-common';
import { FindingStore, StoredFinding } from '../database/types';
import { securityTabOf, sendNotice } from './FindingNotices';
import { EntitySignals } from './EntitySignals';
import { SecopsAccess } from './SecopsAccess';

/**
 * A user entity ref, lower case, from a ref or a name in the default
 * namespace; undefined for anything else (a group, nonsense).
 */
export function userRefOf(value: string): string | undefined {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    return ref.kind.toLowerCase() === 'user'
      ? stringifyEntityRef(ref).toLowerCase()
      : undefined;
  } catch {
    return undefined;
  }
}

/** Findings assigned in one request, at most. */
export const MAX_ASSIGNED = 500;

/**
 * Who works on a finding: the owners of its entity (and the security team)
 * assign open findings to a member of the owning team, or take the
 * assignment back. All the findings of a request are checked before any
 * is written, and written at once. The new assignee is notified once per
 * request, of the findings whose assignee changed.
 */
export class FindingAssignments {
  constructor(
    private readonly deps: {
      access: SecopsAccess;
      findings: FindingStore;
      groups: OwnershipService;
      notifications?: NotificationService;
      /** Open Security tabs of the entities reload. */
      signals?: EntitySignals;
      logger?: LoggerService;
      now?: () => Date;
    },
  ) {}

  async assign(
    credentials: BackstageCredentials,
    body: { findingIds: string[]; assignee: string | null },
  ): Promise<AssignmentResult> {
    const { access, findings } = this.deps;
    const caller = access.caller(credentials);
    if (caller.type !== 'user') {
      throw new NotAllowedError('Only a person assigns findings');
    }
    const ids = [...new Set(body.findingIds)];
    if (ids.length === 0 || ids.length > MAX_ASSIGNED) {
      throw new InputError(
        `findingIds must name 1 to ${MAX_ASSIGNED} findings, not ${ids.length}`,
      );
    }
    const found = new Map(
      (await findings.getFindings(ids)).map(finding => [finding.id, finding]),
    );
    const missing = ids.filter(id => !found.has(id));
    if (missing.length) {
      throw new NotFoundError(`No finding ${missing.slice(0, 5).join(', ')}`);
    }
    const closed = [...found.values()].filter(f => f.status !== 'open');
    if (closed.length) {
      throw new InputError(
        `Only open findings are assigned; ${closed
          .slice(0, 5)
          .map(f => f.id)
          .join(', ')} ${closed.length === 1 ? 'is' : 'are'} fixed`,
      );
    }
    const entityRefs = [...new Set([...found.values()].map(f => f.entityRef))];
    for (const entityRef of entityRefs) {
      await access.authorize(
        credentials,
        secopsFindingAssignPermission,
        entityRef,
      );
    }
    const assignee = body.assignee
      ? await this.requireMember(body.assignee, entityRefs)
      : null;

    const changing = [...found.values()].filter(
      f => (f.assignee ?? null) !== assignee,
    );
    const by = caller.credentials.principal.userEntityRef.toLowerCase();
    if (changing.length) {
      await findings.assign(
        changing.map(f => f.id),
        { assignee, by, at: this.deps.now?.() ?? new Date() },
      );
      if (assignee && assignee !== by) await this.notify(assignee, changing);
      await this.deps.signals?.changed(
        changing.map(f => f.entityRef),
        'assignment',
      );
    }
    const changed = new Set(changing.map(f => f.id));
    return {
      assignee,
      changed: ids.filter(id => changed.has(id)),
      unchanged: ids.filter(id => !changed.has(id)),
    };
  }

  /**
   * The assignee as a user entity ref, refused unless they are a member of
   * a team that owns each entity (or of a team below it), or own it
   * themselves.
   */
  private async requireMember(
    assignee: string,
    entityRefs: string[],
  ): Promise<string> {
    const ref = userRefOf(assignee);
    if (!ref) {
      throw new InputError(
        `assignee must be a user, such as user:default/ada, not "${assignee}"`,
      );
    }
    const [memberOf, entities] = await Promise.all([
      this.deps.groups.groupsOf(ref),
      this.deps.access.readEntities(entityRefs),
    ]);
    if (!memberOf.length) {
      throw new InputError(`${ref} is not a member of any team`);
    }
    const byRef = new Map(
      entities.map(e => [stringifyEntityRef(e).toLowerCase(), e]),
    );
    for (const entityRef of entityRefs) {
      const entity = byRef.get(entityRef.toLowerCase());
      const owners = entity ? ownerRefsOf(entity) : [];
      if (owners.includes(ref)) continue;
      const teams = await this.deps.groups.withDescendants(owners);
      if (!memberOf.some(group => teams.includes(group))) {
        throw new InputError(
          `${ref} is not a member of ${
            owners.join(' or ') || 'an owner'
          }, which owns ${entityRef}`,
        );
      }
    }
    return ref;
  }

  private async notify(assignee: string, assigned: StoredFinding[]) {
    const first = assigned[0];
    const title =
      assigned.length === 1
        ? `Assigned to you: ${first.severity} ${first.title}`
        : `${assigned.length} findings assigned to you`;
    const others = new Set(assigned.map(f => f.entityRef)).size - 1;
    const { name } = parseEntityRef(first.entityRef);
    const where =
      others > 0
        ? `In ${name} and ${others} other ${
            others === 1 ? 'entity' : 'entities'
          }.`
        : `In ${name}.`;
    const serious = assigned.some(
      f => f.severity === 'critical' || f.severity === 'high',
    );
    // The assignment stands if the notification could not be sent.
    await sendNotice(
      this.deps,
      {
        recipients: { type: 'entity', entityRef: assignee },
        payload: {
          title,
          description: `${where} A fix is confirmed by the next scan.`,
          link: securityTabOf(first.entityRef),
          severity: serious ? 'high' : 'normal',
          topic: 'secops-assignment',
        },
      },
      `${assignee} of an assignment`,
    );
  }
}
