import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  LOCAL_REPOSITORY_CHANGED_TOPIC,
  LocalRepositoryChangedEvent,
} from '@portal/plugin-scaffolder-backend-module-golden-path';
import path from 'node:path';
import { catalogModuleGoldenPathDemo } from './module';
import { makeRepository, tempDir } from './__testUtils__/testing';

const DEMO = path.resolve(__dirname, '../../../catalog/demo-repositories');

describe('the golden-path demo catalog module', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('makes the demo repositories, puts them in the catalog, and rescans when the scaffolder announces a published one', async () => {
    const repositoriesDir = path.join(tmp.dir, 'repositories');
    const providers: EntityProvider[] = [];
    // The scaffolder's side of the seam: the golden-path actions publish
    // on the events service from the scaffolder plugin.
    let scaffolderEvents: EventsService | undefined;
    const scaffolderSide = createBackendModule({
      pluginId: 'scaffolder',
      moduleId: 'test-publisher',
      register(reg) {
        reg.registerInit({
          deps: { events: eventsServiceRef },
          async init({ events }) {
            scaffolderEvents = events;
          },
        });
      },
    });
    const backend = await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addEntityProvider: (...p: any[]) => providers.push(...p.flat()) },
        ],
      ],
      features: [
        catalogModuleGoldenPathDemo,
        scaffolderSide,
        // The backend's own events service (createBackend adds it).
        eventsServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            events: { useEventBus: 'never' },
            goldenPath: {
              local: {
                repositoriesDir,
                seed: [
                  {
                    name: 'wishlist-service',
                    from: path.join(DEMO, 'wishlist-service'),
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    try {
      expect(providers).toHaveLength(1);
      const applyMutation = jest.fn();
      await providers[0].connect({ applyMutation, refresh: jest.fn() });
      expect(
        applyMutation.mock.calls[0][0].entities.map(
          (e: any) => e.entity.metadata.name,
        ),
      ).toEqual(['local-repository-wishlist-service']);

      await makeRepository(path.join(repositoriesDir, 'new-one'), {
        'catalog-info.yaml': 'kind: Component\n',
      });
      const eventPayload: LocalRepositoryChangedEvent = {
        repository: 'new-one',
      };
      await scaffolderEvents!.publish({
        topic: LOCAL_REPOSITORY_CHANGED_TOPIC,
        eventPayload,
      });
      // Published means every subscriber in the process has run.
      expect(
        applyMutation.mock.calls[1][0].entities.map(
          (e: any) => e.entity.metadata.name,
        ),
      ).toEqual([
        'local-repository-new-one',
        'local-repository-wishlist-service',
      ]);
    } finally {
      await backend.stop();
    }
  }, 120_000);
});
