import {
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  secopsExemptionDecidePermission,
  secopsExemptionRequestPermission,
  secopsFindingAssignPermission,
  secopsFindingsReadPermission,
  secopsReportUploadPermission,
} from '@portal/plugin-secops-common';
import {
  Caller,
  EntityAuthorization,
  MachineGrant,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';

/** What a refusal says the caller may not do, by permission name. */
const REFUSED: Record<string, string> = {
  [secopsReportUploadPermission.name]: 'upload reports for',
  [secopsFindingsReadPermission.name]: 'see the findings of',
  [secopsExemptionRequestPermission.name]:
    'ask for exemptions on the findings of',
  [secopsFindingAssignPermission.name]: 'assign the findings of',
};

/**
 * Who may do what in SecOps: people as the permission policy says, machines
 * as their identity (machineIdentity config) allows. Every route, and
 * anything else acting for a caller, asks here before it calls a service.
 */
export class SecopsAccess {
  constructor(
    private readonly deps: {
      auth: AuthService;
      permissions: PermissionsService;
      catalog: CatalogService;
      groups: OwnershipService;
      machines: MachineIdentities;
    },
  ) {
    this.authorization = new EntityAuthorization(deps.permissions);
  }

  private readonly authorization: EntityAuthorization;

  /** Who the credentials are: a person, the portal, a CI run or a machine. */
  caller(credentials: BackstageCredentials): Caller {
    return this.deps.machines.classify(credentials);
  }

  /**
   * Refuses unless the caller may act on the entity: people as the policy
   * says; a CI run only on the entities of its own repository; other
   * machines only with the grant for every entity.
   */
  async authorize(
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ): Promise<Caller> {
    const { machines, permissions } = this.deps;
    const caller = machines.classify(credentials);
    if (caller.type !== 'user') {
      const reads = permission === secopsFindingsReadPermission;
      machines.requireEntity(
        caller,
        await this.requireEntity(entityRef),
        reads ? 'secops.read' : 'secops.upload',
        reads
          ? 'see the findings of'
          : 'upload reports for or ask the gate about',
      );
      return caller;
    }
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You may not ${REFUSED[permission.name]} ${entityRef}`,
      );
    }
    return caller;
  }

  /**
   * Whether an upload from this caller may fix the findings its report no
   * longer has: only when it comes from a machine bound to the entity (its
   * own CI) or granted, or from the security team. A report a team uploads
   * by hand adds and re-opens findings, never closes them, so the gated
   * team cannot pass its own gate with an empty report.
   */
  async mayCloseFindings(caller: Caller): Promise<boolean> {
    if (caller.type !== 'user') return true;
    const [decision] = await this.deps.permissions.authorize(
      [{ permission: secopsExemptionDecidePermission }],
      { credentials: caller.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /**
   * Refuses a machine without the grant; people pass here (the route asks
   * the policy about them).
   */
  requireMachineGrant(
    credentials: BackstageCredentials,
    grant: MachineGrant,
    what: string,
  ): Caller {
    const { machines } = this.deps;
    const caller = machines.classify(credentials);
    machines.requireGrant(caller, grant, what);
    return caller;
  }

  /**
   * Refuses unless the policy allows the basic permission, by default the
   * security team's (deciding exemptions); `what` says what was refused.
   */
  async requireSecurityTeam(
    credentials: BackstageCredentials,
    what: string,
    permission: BasicPermission = secopsExemptionDecidePermission,
  ) {
    const [decision] = await this.deps.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Only the security team may ${what}`);
    }
  }

  /** The entity, read with the plugin's own credentials; 404 without it. */
  async requireEntity(entityRef: string): Promise<Entity> {
    const { auth, catalog } = this.deps;
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(`There is no ${entityRef} in the catalog`);
    }
    return entity;
  }

  /** The entities with these refs, read in one call; those missing are left out. */
  async readEntities(entityRefs: string[]): Promise<Entity[]> {
    if (!entityRefs.length) return [];
    const { auth, catalog } = this.deps;
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items.filter((entity): entity is Entity => !!entity);
  }

  /** The groups a person is a direct member of ("your teams"). */
  async teamsOf(credentials: BackstageCredentials<BackstageUserPrincipal>) {
    return this.deps.groups.groupsOf(credentials.principal.userEntityRef);
  }

  /**
   * Which of these entities the caller may see the findings of: machines
   * with the secops.read grant all of them; people as one decision of the
   * policy says, its conditions applied to each entity (read with the
   * plugin's own credentials).
   */
  async visibleRefs(
    credentials: BackstageCredentials,
    entityRefs: string[],
  ): Promise<Set<string>> {
    const { auth, catalog, machines } = this.deps;
    const caller = machines.classify(credentials);
    if (caller.type !== 'user') {
      machines.requireGrant(caller, 'secops.read', 'see findings');
      return new Set(entityRefs);
    }
    const decision = await this.authorization.decide(
      credentials,
      secopsFindingsReadPermission,
    );
    if (decision.result === AuthorizeResult.ALLOW) return new Set(entityRefs);
    if (decision.result === AuthorizeResult.DENY || !entityRefs.length) {
      return new Set();
    }
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs, fields: ['kind', 'metadata', 'spec', 'relations'] },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const visible = new Set<string>();
    items.forEach((entity, i) => {
      if (entity && decision.allows(entity)) visible.add(entityRefs[i]);
    });
    return visible;
  }

  /**
   * Every component, resource and system the group and its sub-groups own,
   * and which of them the caller may see the findings of: one decision of
   * the policy for all of them (EntityAuthorization), its conditions applied
   * to each entity here. Machines need the secops.read grant.
   */
  async visibleOwned(
    credentials: BackstageCredentials,
    groupRef: string,
  ): Promise<{ owned: Entity[]; visible: Entity[] }> {
    const { groups } = this.deps;
    this.requireMachineGrant(
      credentials,
      'secops.read',
      "read a group's security posture",
    );
    const decision = await this.authorization.decide(
      credentials,
      secopsFindingsReadPermission,
    );
    // The annotations say which entities are internet-facing.
    const fields = [
      'metadata.title',
      'metadata.annotations',
      'spec.owner',
      'spec.type',
    ];
    const owned = await groups.ownedEntities(groupRef, {
      kinds: ['Component', 'Resource', 'System'],
      // Conditions read ownership, kind, annotations and labels.
      fields:
        decision.result === AuthorizeResult.CONDITIONAL
          ? [...fields, 'metadata', 'spec', 'relations']
          : fields,
    });
    return { owned, visible: owned.filter(entity => decision.allows(entity)) };
  }
}
