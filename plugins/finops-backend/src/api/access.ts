/*
 * Who may call what: people (the permission policy decides whose cost they
 * see), machines with the grant for the route, and the finance group's
 * basic permissions.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { MachineGrant, MachineIdentities } from '@portal/catalog-ownership';
import {
  finopsCostReadPermission,
  finopsOrganisationReadPermission,
} from '@portal/plugin-finops-common';
import {
  FinopsCostResource,
  finopsCostResourceRef,
} from '@portal/plugin-finops-node';
import { CostCatalog } from '../service/CostCatalog';
import { OwnerFilter } from '../service/CostService';

/** A request, as httpAuth reads it. */
type Req = Parameters<HttpAuthService['credentials']>[0];

/** The access checks of the FinOps routes. */
export class FinopsAccess {
  // The policy's conditions on cost, applied with FinOps' own rules (the
  // permission framework's condition authorizer, as every plugin of the
  // portal does for the data it owns).
  private readonly appliesTo: (
    decision: PolicyDecision,
    resource: FinopsCostResource,
  ) => boolean;

  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      permissionsRegistry: PermissionsRegistryService;
      machines: MachineIdentities;
      catalog: CostCatalog;
    },
  ) {
    this.appliesTo = createConditionAuthorizer(
      deps.permissionsRegistry.getPermissionRuleset(finopsCostResourceRef),
    );
  }

  /** Who the caller may see cost for, from one decision of the policy. */
  async ownerFilter(credentials: BackstageCredentials): Promise<OwnerFilter> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: finopsCostReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return () => true;
    if (decision.result !== AuthorizeResult.CONDITIONAL) return () => false;
    return ownerRef => this.appliesTo(decision, { ref: ownerRef, ownerRef });
  }

  async requireBasic(
    credentials: BackstageCredentials,
    permission: typeof finopsOrganisationReadPermission,
    what: string,
  ) {
    const [decision] = await this.deps.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Only the finance group may ${what}`);
    }
  }

  /**
   * A person (the policy decides what they see), or a machine with the
   * grant for this: a CI token alone reads and imports nothing here.
   */
  requireCaller(
    credentials: BackstageCredentials,
    grant: MachineGrant = 'finops.read',
    what = 'read cost',
  ) {
    const { machines } = this.deps;
    machines.requireGrant(machines.classify(credentials), grant, what);
  }

  /** The request's caller, a person or a machine with the grant for this. */
  async userOrService(
    req: Req,
    grant: MachineGrant = 'finops.read',
    what = 'read cost',
  ) {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    this.requireCaller(credentials, grant, what);
    return credentials;
  }

  /**
   * A group the catalog knows (its ref, in lower case) whose cost the
   * caller may see, with the snapshot and the caller's owner filter.
   */
  async groupFor(credentials: BackstageCredentials, groupRef: string) {
    this.requireCaller(credentials);
    const ref = groupRef.toLowerCase();
    const snapshot = await this.deps.catalog.snapshot(ref);
    if (!snapshot.tree.get(ref)) {
      throw new NotFoundError(`There is no ${ref} in the catalog`);
    }
    const allowed = await this.ownerFilter(credentials);
    if (!allowed(ref)) {
      throw new NotAllowedError(
        `You may see the cost of the groups you belong to and those below them, not ${ref}`,
      );
    }
    return { ref, snapshot, allowed };
  }

  /**
   * A component, resource, system or domain the catalog knows (its ref, in
   * lower case) whose cost the caller may see: what its owner's teams own,
   * or everything for finance and the admins.
   */
  async entityFor(credentials: BackstageCredentials, entityRef: string) {
    this.requireCaller(credentials);
    const ref = entityRef.toLowerCase();
    const snapshot = await this.deps.catalog.snapshot(ref);
    const entity = snapshot.entities.get(ref);
    if (!entity) {
      throw new NotFoundError(`There is no ${ref} in the catalog`);
    }
    const allowed = await this.ownerFilter(credentials);
    if (!allowed(entity.ownerRef ?? ref)) {
      throw new NotAllowedError(
        `You may see the cost of what your teams own; ${ref} is owned by ${
          entity.ownerRef ?? 'nobody'
        }`,
      );
    }
    return { ref, entity, snapshot, allowed };
  }
}
