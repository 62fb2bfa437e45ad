import {
  git,
  LocalRepositories,
} from '@portal/plugin-scaffolder-backend-module-golden-path';
import path from 'node:path';
import { seedRepository } from './seed';
import { tempDir } from './__testUtils__/testing';

const DEMO = path.resolve(__dirname, '../../../catalog/demo-repositories');

describe('seedRepository', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('makes the demo repositories once, each with one commit', async () => {
    const repositories = new LocalRepositories(path.join(tmp.dir, 'repos'));
    const legacy = path.join(DEMO, 'legacy-billing');
    expect(await seedRepository(repositories, 'legacy-billing', legacy)).toBe(
      true,
    );
    expect(await seedRepository(repositories, 'legacy-billing', legacy)).toBe(
      false,
    );
    expect(
      await git(repositories.pathOf('legacy-billing'), [
        'rev-list',
        '--count',
        'HEAD',
      ]),
    ).toBe('1');
    await expect(
      seedRepository(repositories, 'broken', path.join(DEMO, 'no-such-folder')),
    ).rejects.toThrow();
    expect(await repositories.list()).toEqual(['legacy-billing']);
  });
});
