import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  LocationEntityV1alpha1,
} from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  isRegularFile,
  LocalRepositories,
} from '@portal/plugin-scaffolder-backend-module-golden-path';
import path from 'node:path';

/**
 * Puts the local repositories' catalog-info.yaml files in the catalog: one
 * Location entity (type file) per repository that has one. The catalog then
 * reads and refreshes each file like any other location. Its module rescans
 * when the golden-path actions publish (an event) and on a schedule.
 */
export class LocalRepositoryProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly repositories: LocalRepositories,
    private readonly logger: LoggerService,
  ) {}

  getProviderName() {
    return 'golden-path-local-repositories';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
    await this.refresh();
  }

  async refresh() {
    if (!this.connection) return;
    const entities = [];
    for (const name of await this.repositories.list()) {
      const file = path.join(
        this.repositories.pathOf(name),
        'catalog-info.yaml',
      );
      // A catalog-info.yaml that is a link would have the catalog read a
      // file outside the repository: such a repository is left out.
      if (!(await isRegularFile(file))) continue;
      const location = `file:${file}`;
      const entity: LocationEntityV1alpha1 = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: {
          name: `local-repository-${name}`,
          description: `The local repository ${name} (golden path, embedded default)`,
          annotations: {
            [ANNOTATION_LOCATION]: location,
            [ANNOTATION_ORIGIN_LOCATION]: location,
          },
        },
        spec: { type: 'file', target: file },
      };
      entities.push({ entity, locationKey: location });
    }
    await this.connection.applyMutation({ type: 'full', entities });
    this.logger.info(`${entities.length} local repositories in the catalog`);
  }
}
