import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testDatabaseIds } from '@portal/test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSecopsStores } from '../database/createSecopsStores';
import {
  PERSONAL_DATA_SWEEP_TOOL,
  PersonalDataSweep,
  readPersonalDataOptions,
} from './PersonalDataSweep';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const component = (
  name: string,
  description: string,
  origin?: string,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    description,
    annotations: origin
      ? { 'backstage.io/managed-by-origin-location': `file:${origin}` }
      : {},
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

describe('readPersonalDataOptions', () => {
  it('sweeps only when configured, every 6 hours unless told otherwise', () => {
    expect(readPersonalDataOptions(new ConfigReader({}))).toBeUndefined();
    expect(
      readPersonalDataOptions(
        new ConfigReader({ secops: { personalData: { enabled: false } } }),
      ),
    ).toBeUndefined();
    expect(
      readPersonalDataOptions(
        new ConfigReader({
          secops: { personalData: { repositoriesDir: 'data/repositories' } },
        }),
        '/srv/portal',
      ),
    ).toEqual({
      schedule: expect.objectContaining({ frequency: { hours: 6 } }),
      repositoriesDir: '/srv/portal/data/repositories',
    });
  });
});

describe.each(databases.eachSupportedId())('PersonalDataSweep on %p', id => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'pii-sweep-'));
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  async function setup(entities: Entity[]) {
    const knex = await databases.init(id);
    const stores = await createSecopsStores({
      database: mockServices.database({ knex }),
    });
    const sweep = new PersonalDataSweep({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      findings: stores.findings,
      logger: mockServices.logger.mock(),
      options: {
        schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 } },
        repositoriesDir: path.join(root, 'repositories'),
      },
    });
    const open = async (entityRef: string) =>
      (
        await stores.findings.listFindings({
          entityRef,
          status: 'open',
          limit: 50,
        })
      ).items.map(f => [f.category, f.ruleId, f.locationPath, f.title]);
    return { sweep, open, stores };
  }

  it('finds personal data in catalog metadata and in local repositories, masked, and closes what is gone', async () => {
    const repo = path.join(root, 'repositories', 'parcel-tracker');
    await fs.mkdir(path.join(repo, 'docs'), { recursive: true });
    await fs.writeFile(
      path.join(repo, 'docs', 'index.md'),
      '# Parcel tracker\nOn call: +44 20 7946 0958\n',
    );
    await fs.writeFile(path.join(repo, 'catalog-info.yaml'), 'kind: x\n');
    // A file outside the repositories is never read, whatever the origin says.
    const outside = path.join(root, 'elsewhere');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'notes.md'), 'ops@northwind.io\n');

    const entities = [
      component(
        'parcel-tracker',
        'Ask jane.doe@northwind.io about parcels.',
        path.join(repo, 'catalog-info.yaml'),
      ),
      component('other', 'No personal data here', path.join(outside, 'x.yaml')),
    ];
    const { sweep, open, stores } = await setup(entities);
    expect(await sweep.sweep()).toEqual({ entities: 2, findings: 2 });
    expect(await open('component:default/parcel-tracker')).toEqual(
      expect.arrayContaining([
        [
          'pii',
          'pii/email',
          'catalog-info.yaml#metadata.description',
          'Email address: j***@n***.io',
        ],
        [
          'pii',
          'pii/phone-international',
          'docs/index.md',
          'Phone number: +** ** **** **58',
        ],
      ]),
    );
    expect(await open('component:default/other')).toEqual([]);
    // Nothing found and nothing to close: no scan is recorded.
    expect(
      await stores.findings.hasScan(
        'component:default/other',
        PERSONAL_DATA_SWEEP_TOOL,
      ),
    ).toBe(false);

    // The same sweep again changes nothing.
    await sweep.sweep();
    expect(await open('component:default/parcel-tracker')).toHaveLength(2);

    // Once the number is gone from the docs, its finding is fixed.
    await fs.writeFile(
      path.join(repo, 'docs', 'index.md'),
      '# Parcel tracker\nOn call: see PagerDuty\n',
    );
    await sweep.sweep();
    expect(await open('component:default/parcel-tracker')).toEqual([
      [
        'pii',
        'pii/email',
        'catalog-info.yaml#metadata.description',
        'Email address: j***@n***.io',
      ],
    ]);
  }, 120_000);
});
