import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import path from 'node:path';
import { RepositoryOptions, sourceRepositoryOf } from './repository';

/**
 * What a machine may be granted beyond its own repository's entities, by
 * `machineIdentity.grants`. Each plugin checks the grants of its own area.
 */
export const MACHINE_GRANTS = [
  /** Upload reports for, and ask the gate about, any entity. */
  'secops.upload',
  /** Read any entity's and the organisation's security data. */
  'secops.read',
  /** Pull the security event log (the SIEM export). */
  'secops.export',
  /** Read any entity's and the organisation's cost, export it. */
  'finops.read',
  /** Import billing data (FOCUS files) and run imports. */
  'finops.import',
  /** Post Alertmanager alerts. */
  'sre.alerts',
  /** Read any entity's reliability data. */
  'sre.read',
  /** Read dashboards and product economics. */
  'bi.read',
] as const;

export type MachineGrant = (typeof MACHINE_GRANTS)[number];

/**
 * Who is calling, in one of the three shapes the portal accepts:
 * - a person (`user`): the permission policy decides;
 * - a CI run of one repository (`ci`): may act only on the entities
 *   registered from that repository, unless granted more;
 * - the portal itself (`portal`, a plugin calling another plugin);
 * plus `granted`, an external machine (Alertmanager, the SIEM) that may do
 * exactly what `machineIdentity.grants` lists for its subject.
 */
export type Caller =
  | {
      type: 'user';
      credentials: BackstageCredentials<BackstageUserPrincipal>;
      principal: string;
    }
  | {
      type: 'portal';
      credentials: BackstageCredentials<BackstageServicePrincipal>;
      principal: string;
    }
  | {
      type: 'ci';
      credentials: BackstageCredentials<BackstageServicePrincipal>;
      principal: string;
      /** `github.com/acme/payments-api` or `local/wishlist-service`. */
      repository: string;
      grants: ReadonlySet<string>;
    }
  | {
      type: 'granted';
      credentials: BackstageCredentials<BackstageServicePrincipal>;
      principal: string;
      grants: ReadonlySet<string>;
    };

/** How a CI system's token subject names its repository. */
export interface CiIdentityRule {
  /**
   * The start of the verified subject. A GitHub Actions OIDC token verified
   * by `backend.auth.externalAccess` (type jwks, subjectPrefix
   * github-actions) has the subject
   * `external:github-actions:repo:<owner>/<name>:<context>`, so the prefix is
   * `external:github-actions:repo:`; the repository is what follows, up to
   * the next colon.
   */
  subjectPrefix: string;
  /** The host the repository is on: `github.com`, or `local` (embedded). */
  host: string;
  /**
   * The repository owners (GitHub organisations) whose CI is accepted, in
   * lower case. Every GitHub repository can get a token for any audience,
   * so production names its organisations here; empty accepts any.
   */
  owners: string[];
}

export interface MachineIdentityOptions extends RepositoryOptions {
  ci: CiIdentityRule[];
  /** Extra grants per verified subject (exact match). */
  grants: Map<string, Set<string>>;
}

const REPOSITORY_PATH = /^[a-z0-9_.-]+(\/[a-z0-9_.-]+)?$/;

/**
 * Decides what a machine caller may do. The permission framework does not
 * ask the policy about service principals (they are allowed everything), so
 * every route a machine may call asks this instead.
 */
export class MachineIdentities {
  constructor(private readonly options: MachineIdentityOptions) {
    for (const rule of options.ci) {
      if (!rule.subjectPrefix || !rule.host) {
        throw new Error(
          'machineIdentity.ci entries need a subjectPrefix and a host',
        );
      }
    }
  }

  /** Reads `machineIdentity` and `goldenPath.local.repositoriesDir`. */
  static fromConfig(config: Config): MachineIdentities {
    const ci = (config.getOptionalConfigArray('machineIdentity.ci') ?? []).map(
      c => ({
        subjectPrefix: c.getString('subjectPrefix'),
        host: c.getString('host').toLowerCase(),
        owners: (c.getOptionalStringArray('owners') ?? []).map(o =>
          o.toLowerCase(),
        ),
      }),
    );
    const grants = new Map<string, Set<string>>();
    for (const g of config.getOptionalConfigArray('machineIdentity.grants') ??
      []) {
      const subject = g.getString('subject');
      const allow = g.getStringArray('allow');
      for (const grant of allow) {
        if (!(MACHINE_GRANTS as readonly string[]).includes(grant)) {
          throw new Error(
            `machineIdentity.grants: unknown grant "${grant}" for ${subject}; known grants are ${MACHINE_GRANTS.join(
              ', ',
            )}`,
          );
        }
      }
      grants.set(subject, new Set([...(grants.get(subject) ?? []), ...allow]));
    }
    const dir = config.getOptionalString('goldenPath.local.repositoriesDir');
    return new MachineIdentities({
      ci,
      grants,
      localRepositoriesDir: dir ? path.resolve(dir) : undefined,
    });
  }

  /**
   * The caller's shape. A machine that is neither the portal, nor a CI run
   * of a known repository, nor granted anything is refused here.
   */
  classify(credentials: BackstageCredentials): Caller {
    const principal = credentials.principal as
      | BackstageUserPrincipal
      | BackstageServicePrincipal
      | { type: string };
    if (principal.type === 'user') {
      const user = principal as BackstageUserPrincipal;
      return {
        type: 'user',
        credentials:
          credentials as BackstageCredentials<BackstageUserPrincipal>,
        principal: user.userEntityRef,
      };
    }
    if (principal.type !== 'service') {
      throw new NotAllowedError('Sign in, or call with a service token');
    }
    const service =
      credentials as BackstageCredentials<BackstageServicePrincipal>;
    const subject = service.principal.subject;
    if (subject.startsWith('plugin:')) {
      return { type: 'portal', credentials: service, principal: subject };
    }
    const grants = this.options.grants.get(subject) ?? new Set<string>();
    const repository = this.repositoryOfSubject(subject);
    if (repository) {
      return {
        type: 'ci',
        credentials: service,
        principal: `service:${subject}`,
        repository,
        grants,
      };
    }
    if (grants.size) {
      return {
        type: 'granted',
        credentials: service,
        principal: `service:${subject}`,
        grants,
      };
    }
    throw new NotAllowedError(
      `The token of ${subject} is neither a CI identity of a repository (machineIdentity.ci) nor granted anything (machineIdentity.grants)`,
    );
  }

  /** The repository a CI subject names, or undefined. */
  repositoryOfSubject(subject: string): string | undefined {
    for (const rule of this.options.ci) {
      if (!subject.startsWith(rule.subjectPrefix)) continue;
      const rest = subject.slice(rule.subjectPrefix.length);
      const name = rest.split(':')[0].toLowerCase();
      if (!REPOSITORY_PATH.test(name)) continue;
      const owner = name.includes('/') ? name.split('/')[0] : undefined;
      if (rule.owners.length && !(owner && rule.owners.includes(owner))) {
        continue;
      }
      return `${rule.host}/${name}`;
    }
    return undefined;
  }

  /** The repository an entity was registered from, as CI subjects name it. */
  repositoryOf(entity: Entity): string | undefined {
    return sourceRepositoryOf(entity, this.options);
  }

  /** Whether a machine caller holds a grant (the portal holds them all). */
  holds(caller: Caller, grant: MachineGrant): boolean {
    if (caller.type === 'portal') return true;
    if (caller.type === 'user') return false;
    return caller.grants.has(grant);
  }

  /** Refuses a machine caller without the grant; people are not asked. */
  requireGrant(caller: Caller, grant: MachineGrant, what: string) {
    if (caller.type !== 'user' && !this.holds(caller, grant)) {
      throw new NotAllowedError(
        `${caller.principal} may not ${what}: that needs the ${grant} grant (machineIdentity.grants)`,
      );
    }
  }

  /**
   * Refuses a machine caller that may not act on this entity: a CI run acts
   * only on the entities registered from its own repository, unless granted
   * `grant` for every entity. People are decided by the permission policy,
   * not here.
   */
  requireEntity(
    caller: Caller,
    entity: Entity,
    grant: MachineGrant,
    what: string,
  ) {
    if (caller.type === 'user' || this.holds(caller, grant)) return;
    const entityRef = stringifyEntityRef(entity);
    if (caller.type === 'ci') {
      const source = this.repositoryOf(entity);
      if (source && source === caller.repository) return;
      throw new NotAllowedError(
        `The CI of ${
          caller.repository
        } may not ${what} ${entityRef}: it was registered from ${
          source ?? 'no repository'
        }`,
      );
    }
    throw new NotAllowedError(
      `${caller.principal} may not ${what} ${entityRef}: that needs the ${grant} grant`,
    );
  }
}
