/*
 * Duplicated jobs: which jobs of different repositories are grouped (and
 * which are not), and that finding them takes work in proportion to the
 * jobs, not to their pairs.
 */
import { duplicateJobs } from './analysis';
import { FoundRepository } from './repositories';

const repo = (name: string, ...workflows: string[]): FoundRepository => ({
  name,
  target: 'local',
  workflows: workflows.map((text, i) => ({
    path: `.github/workflows/ci${i || ''}.yml`,
    text,
  })),
});

/** A workflow of jobs, each a list of steps (`uses: x` or a command). */
const workflow = (jobs: Record<string, string[]>) =>
  `jobs:\n${Object.entries(jobs)
    .map(
      ([name, steps]) =>
        `  ${name}:\n    runs-on: ubuntu-latest\n    steps:\n${steps
          .map(s =>
            s.startsWith('uses: ')
              ? `      - ${s}\n`
              : `      - run: ${JSON.stringify(s)}\n`,
          )
          .join('')}`,
    )
    .join('')}`;

const NODE = [
  'uses: actions/checkout@v4',
  'npm ci',
  'npm test',
  'npm run build',
];

describe('duplicateJobs', () => {
  it('groups alike jobs of different repositories, the one with most alike first, each job once', () => {
    const groups = duplicateJobs([
      // The same job twice in one repository: not alike to each other.
      repo('shop-web', workflow({ build: NODE, again: NODE })),
      repo(
        'shop-api',
        workflow({
          // Another version of the same action: the same step.
          ci: ['uses: actions/checkout@v3', ...NODE.slice(1)],
          deploy: ['uses: actions/checkout@v4', 'make', 'make deploy'],
        }),
      ),
      // 3 of 5 steps alike (60%): still a duplicate.
      repo(
        'shop-admin',
        workflow({ test: [...NODE.slice(0, 3), 'npm run lint'] }),
      ),
      repo(
        'billing',
        workflow({ build: ['cargo build', 'cargo test', 'cargo publish'] }),
      ),
      repo(
        'invoices',
        workflow({
          release: ['cargo build', 'cargo test', 'cargo publish', 'gh release'],
        }),
        workflow({
          deploy: ['uses: actions/checkout@v4', 'make', 'make deploy'],
        }),
      ),
      // Two steps in common only: not enough.
      repo('docs', workflow({ site: ['npm ci', 'npm test', 'mkdocs build'] })),
    ]);
    expect(groups).toEqual([
      {
        // Around shop-api's job, alike to three (two of them shop-web's):
        // the steps all four run.
        steps: ['uses: actions/checkout', 'run: npm ci', 'run: npm test'],
        similarity: 0.87,
        jobs: [
          {
            repository: 'shop-api',
            workflow: '.github/workflows/ci.yml',
            job: 'ci',
          },
          {
            repository: 'shop-web',
            workflow: '.github/workflows/ci.yml',
            job: 'build',
          },
          {
            repository: 'shop-web',
            workflow: '.github/workflows/ci.yml',
            job: 'again',
          },
          {
            repository: 'shop-admin',
            workflow: '.github/workflows/ci.yml',
            job: 'test',
          },
        ],
      },
      {
        steps: ['uses: actions/checkout', 'run: make', 'run: make deploy'],
        similarity: 1,
        jobs: [
          {
            repository: 'shop-api',
            workflow: '.github/workflows/ci.yml',
            job: 'deploy',
          },
          {
            repository: 'invoices',
            workflow: '.github/workflows/ci1.yml',
            job: 'deploy',
          },
        ],
      },
      {
        steps: ['run: cargo build', 'run: cargo test', 'run: cargo publish'],
        similarity: 0.75,
        jobs: [
          {
            repository: 'billing',
            workflow: '.github/workflows/ci.yml',
            job: 'build',
          },
          {
            repository: 'invoices',
            workflow: '.github/workflows/ci.yml',
            job: 'release',
          },
        ],
      },
    ]);
  });

  it('compares only jobs that have rarer steps in common: doubling the jobs doubles the work', () => {
    // Every repository checks out and runs its own commands; two pairs
    // are copies.
    const fleet = (n: number) => [
      ...Array.from({ length: n }, (_, i) =>
        repo(
          `service-${i}`,
          workflow({
            ci: [
              'uses: actions/checkout@v4',
              `make build-${i}`,
              `make test-${i}`,
              `make ship-${i}`,
            ],
          }),
        ),
      ),
      repo('copy-a', workflow({ ci: NODE })),
      repo('copy-b', workflow({ ci: NODE })),
    ];
    // The look-ups into sets and maps a run makes (whatever they are for),
    // counted by wrapping them for that one call only.
    /* eslint-disable no-extend-native -- wrapped for one call, put back in finally */
    const lookUps = (repositories: FoundRepository[]) => {
      const originals = {
        setHas: Set.prototype.has,
        mapGet: Map.prototype.get,
        mapHas: Map.prototype.has,
      };
      let count = 0;
      Set.prototype.has = function has(this: Set<unknown>, value: unknown) {
        count += 1;
        return originals.setHas.call(this, value);
      };
      Map.prototype.get = function get(this: Map<unknown, unknown>, key) {
        count += 1;
        return originals.mapGet.call(this, key);
      };
      Map.prototype.has = function has(this: Map<unknown, unknown>, key) {
        count += 1;
        return originals.mapHas.call(this, key);
      };
      let groups;
      try {
        groups = duplicateJobs(repositories);
      } finally {
        Set.prototype.has = originals.setHas;
        Map.prototype.get = originals.mapGet;
        Map.prototype.has = originals.mapHas;
      }
      return { count, groups };
    };
    /* eslint-enable no-extend-native */
    const small = lookUps(fleet(400));
    const large = lookUps(fleet(800));
    for (const { groups } of [small, large]) {
      expect(groups.map(g => g.jobs.map(j => j.repository))).toEqual([
        ['copy-a', 'copy-b'],
      ]);
    }
    // Linear: about twice the work (all pairs would be four times).
    expect(large.count / small.count).toBeLessThan(2.5);
  });
});
