/*
 * The organisation root above GitHub's teams. Backstage's GitHub org module
 * (catalog.providers.githubOrg) loads members as Users and teams as Groups,
 * with a team's parent team as spec.parent, but top-level teams have no
 * parent and no Group stands for the organisation itself. The portal's
 * roll-ups need that root: a department is the group just below it
 * (GroupTree.departmentOf) and organisation views start from it.
 *
 * This module gives every top-level team the organisation as its parent and
 * emits one Group of type `organization` per organisation read. It does
 * nothing unless catalog.providers.githubOrg is configured.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  GroupEntity,
} from '@backstage/catalog-model';
import {
  defaultOrganizationTeamTransformer,
  TeamTransformer,
} from '@backstage/plugin-catalog-backend-module-github';
import { githubOrgEntityProviderTransformsExtensionPoint } from '@backstage/plugin-catalog-backend-module-github-org';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';

/** One entry of catalog.providers.githubOrg, as far as this module reads it. */
interface OrgProviderDefinition {
  id: string;
  githubUrl: string;
  orgs: string[];
}

/** catalog.providers.githubOrg: one object or a list of them. */
export function readGithubOrgDefinitions(
  config: Config,
): OrgProviderDefinition[] {
  const key = 'catalog.providers.githubOrg';
  if (!config.has(key)) return [];
  const entries = Array.isArray(config.get(key))
    ? config.getConfigArray(key)
    : [config.getConfig(key)];
  return entries.map(entry => ({
    id: entry.getString('id'),
    githubUrl: entry.getString('githubUrl'),
    orgs: entry.getOptionalStringArray('orgs') ?? [],
  }));
}

/** The name of the Group that stands for a GitHub organisation. */
export const organisationGroupName = (org: string) => org.toLowerCase();

/**
 * The module's own team transformer, plus the organisation as the parent of
 * top-level teams. Namespaces follow the module: the default namespace when
 * one organisation is read, else one namespace per organisation.
 */
export function treeTeamTransformer(
  singleOrganisation: boolean,
): TeamTransformer {
  return async (team, ctx) => {
    const entity = (await defaultOrganizationTeamTransformer(team, ctx)) as
      | GroupEntity
      | undefined;
    if (!entity) return undefined;
    const root = organisationGroupName(ctx.org);
    if (!entity.spec.parent && entity.metadata.name !== root) {
      entity.spec.parent = root;
    }
    if (!singleOrganisation) {
      entity.metadata.namespace = ctx.org.toLowerCase();
      entity.spec.members = team.members.map(
        user => `${DEFAULT_NAMESPACE}/${user.login}`,
      );
    }
    return entity;
  };
}

/** Emits the organisation Groups of one githubOrg provider definition. */
export class GithubOrganisationRootProvider implements EntityProvider {
  constructor(
    private readonly definition: OrgProviderDefinition,
    private readonly singleOrganisation: boolean,
  ) {}

  getProviderName(): string {
    return `GithubOrganisationRootProvider:${this.definition.id}`;
  }

  entities(): GroupEntity[] {
    const base = new URL(this.definition.githubUrl).origin;
    return this.definition.orgs.map(org => {
      const location = `url:${base}/${org}`;
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: {
          name: organisationGroupName(org),
          namespace: this.singleOrganisation
            ? DEFAULT_NAMESPACE
            : org.toLowerCase(),
          annotations: {
            [ANNOTATION_LOCATION]: location,
            [ANNOTATION_ORIGIN_LOCATION]: location,
          },
        },
        spec: {
          type: 'organization',
          profile: { displayName: org },
          // The teams name it as their parent; the catalog adds the relations.
          children: [],
        },
      };
    });
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    await connection.applyMutation({
      type: 'full',
      entities: this.entities().map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
  }
}

export const catalogModuleGithubOrgTree = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'github-org-tree',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogProcessingExtensionPoint,
        transforms: githubOrgEntityProviderTransformsExtensionPoint,
      },
      async init({ config, catalog, transforms }) {
        const definitions = readGithubOrgDefinitions(config);
        if (definitions.length === 0) return;
        // The same rule as the GitHub org module's own namespacing.
        const single =
          definitions.length === 1 && definitions[0].orgs.length === 1;
        transforms.setTeamTransformer(treeTeamTransformer(single));
        for (const definition of definitions) {
          catalog.addEntityProvider(
            new GithubOrganisationRootProvider(definition, single),
          );
        }
      },
    });
  },
});

export default catalogModuleGithubOrgTree;
