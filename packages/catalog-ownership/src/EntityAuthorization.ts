import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { permissionRules as catalogPermissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRule,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';

/** A permission on data that belongs to one catalog entity. */
export type EntityPermission = ResourcePermission<'catalog-entity'>;

/**
 * The catalog's own permission rules (isEntityOwner, isEntityKind,
 * hasAnnotation, …), as a ruleset: what a conditional decision on a
 * catalog-entity permission is made of, evaluated here against entities a
 * plugin has already read.
 */
const catalogRuleset: PermissionRuleset<Entity> = {
  getRuleByName(name: string) {
    const rule = (
      Object.values(catalogPermissionRules) as PermissionRule<
        Entity,
        unknown,
        string
      >[]
    ).find(candidate => candidate.name === name);
    if (!rule) {
      throw new Error(`The catalog has no permission rule named ${name}`);
    }
    return rule as ReturnType<PermissionRuleset<Entity>['getRuleByName']>;
  },
};
const appliesTo = createConditionAuthorizer(catalogRuleset);

/**
 * What one decision of the policy lets the caller see: everything, nothing,
 * or the entities its conditions allow.
 */
export interface EntityDecision {
  result: AuthorizeResult;
  /** Whether the decision allows this entity (read with the fields the rules need). */
  allows(entity: Entity): boolean;
}

/**
 * The one way the portal's plugins authorize data that belongs to catalog
 * entities (security findings, SLOs, delivery measures, product economics):
 * a resource permission of type `catalog-entity`, one conditional decision
 * of the policy per request, and its conditions applied here, with the
 * catalog's own rules, to the entities the plugin has read. One call to the
 * permission backend however many entities a group owns, where asking
 * entity by entity cost a round trip (and a catalog read in the permission
 * backend) each.
 *
 * The entities must carry what the policy's rules read: `kind`, `metadata`
 * (annotations, labels), `spec` and `relations` (ownership). Machine
 * callers (service credentials) are allowed by the permission framework
 * itself; what a machine may do is the machine identities' business.
 *
 * See docs/pages/adding-a-plugin.md, "Authorization".
 */
export class EntityAuthorization {
  constructor(private readonly permissions: PermissionsService) {}

  /** The policy's decision on a permission, for any number of entities. */
  async decide(
    credentials: BackstageCredentials,
    permission: EntityPermission,
  ): Promise<EntityDecision> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return {
      result: decision.result,
      allows: entity => allowsEntity(decision, entity),
    };
  }

  /** The entities the caller may see under the permission, in their order. */
  async filter<E extends Entity>(
    credentials: BackstageCredentials,
    permission: EntityPermission,
    entities: E[],
  ): Promise<E[]> {
    if (entities.length === 0) return [];
    const decision = await this.decide(credentials, permission);
    return entities.filter(entity => decision.allows(entity));
  }

  /**
   * Refuses (403, NotAllowedError) unless the caller may act on the entity
   * under the permission; `what` completes "You may not …".
   */
  async require(
    credentials: BackstageCredentials,
    permission: EntityPermission,
    entity: Entity,
    what: string,
  ): Promise<void> {
    const decision = await this.decide(credentials, permission);
    if (!decision.allows(entity)) {
      throw new NotAllowedError(
        `You may not ${what} ${stringifyEntityRef(entity)}`,
      );
    }
  }
}

function allowsEntity(decision: PolicyDecision, entity: Entity): boolean {
  if (decision.result === AuthorizeResult.ALLOW) return true;
  if (decision.result === AuthorizeResult.DENY) return false;
  return appliesTo(decision, entity);
}
