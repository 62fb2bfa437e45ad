import { mockServices } from '@backstage/backend-test-utils';
import { LocalRepositories } from '@portal/plugin-scaffolder-backend-module-golden-path';
import path from 'node:path';
import { LocalRepositoryProvider } from './LocalRepositoryProvider';
import { makeRepository, tempDir } from './__testUtils__/testing';

describe('LocalRepositoryProvider', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('puts each local repository with a catalog-info.yaml in the catalog as a file location', async () => {
    const repositories = new LocalRepositories(path.join(tmp.dir, 'repos'));
    await makeRepository(path.join(repositories.root, 'with-entry'), {
      'catalog-info.yaml': 'kind: Component\n',
    });
    await makeRepository(path.join(repositories.root, 'without'), {
      'a.txt': 'x',
    });
    const provider = new LocalRepositoryProvider(
      repositories,
      mockServices.logger.mock(),
    );
    const applyMutation = jest.fn();
    await provider.connect({ applyMutation, refresh: jest.fn() });
    const file = path.join(repositories.root, 'with-entry/catalog-info.yaml');
    expect(applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: `file:${file}`,
          entity: expect.objectContaining({
            kind: 'Location',
            metadata: expect.objectContaining({
              name: 'local-repository-with-entry',
              annotations: {
                'backstage.io/managed-by-location': `file:${file}`,
                'backstage.io/managed-by-origin-location': `file:${file}`,
              },
            }),
            spec: { type: 'file', target: file },
          }),
        },
      ],
    });

    // A repository published later is there at the next refresh.
    await makeRepository(path.join(repositories.root, 'new-one'), {
      'catalog-info.yaml': 'kind: Component\n',
    });
    await provider.refresh();
    expect(applyMutation).toHaveBeenCalledTimes(2);
    expect(applyMutation.mock.calls[1][0].entities).toHaveLength(2);
  });

  it('an empty or missing folder is no repositories, not an error', async () => {
    const repositories = new LocalRepositories(path.join(tmp.dir, 'nothing'));
    expect(await repositories.list()).toEqual([]);
  });
});
