import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSizeCatalogue, sizeCatalogueFile, sizeOf } from './sizes';

const REPO_FILE = path.resolve(__dirname, '../../../templates/iac/sizes.yaml');

describe('the golden path price list', () => {
  it("reads the repository's sizes.yaml", async () => {
    const catalogue = await readSizeCatalogue(REPO_FILE);
    expect(catalogue.currency).toBe('USD');
    expect(sizeOf(catalogue, 'database', 'medium')).toMatchObject({
      description: 'db.t4g.medium, 100 GiB gp3, single AZ',
      monthlyUsd: 59,
      settings: { instance_class: 'db.t4g.medium' },
    });
  });

  it('names the types and the sizes to choose from', async () => {
    const catalogue = await readSizeCatalogue(REPO_FILE);
    expect(() => sizeOf(catalogue, 'postgres', 'small')).toThrow(
      'unknown resource type "postgres": choose one of database, queue, bucket, cache',
    );
    expect(() => sizeOf(catalogue, 'queue', 'huge')).toThrow(
      'unknown size "huge" for a queue: choose one of small, medium, large',
    );
  });

  it('refuses a list without a price for every size', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sizes-'));
    const file = path.join(dir, 'sizes.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(REPO_FILE, 'utf8')
        .replace('monthlyUsd: 0.40', 'monthlyUsd: "cheap"'),
    );
    try {
      await expect(readSizeCatalogue(file)).rejects.toThrow(
        'queue small is missing or has no monthlyUsd/settings',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is found where goldenPath.iac.sizesFile says, from the working directory', () => {
    expect(
      sizeCatalogueFile(
        mockServices.rootConfig({
          data: { goldenPath: { iac: { sizesFile: 'templates/sizes.yaml' } } },
        }),
      ),
    ).toBe(path.resolve('templates/sizes.yaml'));
    expect(sizeCatalogueFile(mockServices.rootConfig())).toBe(
      path.resolve('../../templates/iac/sizes.yaml'),
    );
  });
});
