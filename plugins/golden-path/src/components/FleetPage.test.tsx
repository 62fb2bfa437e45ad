import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FleetPage as Fleet,
  GoldenPathApi,
  goldenPathApiRef,
  RepositoryState,
} from '../api';
import { AdoptionTab } from './AdoptionTab';
import { BehindWidget } from './BehindWidget';
import { FleetPage } from './FleetPage';

const service = (name: string, version: string, behind: boolean) => ({
  entityRef: `component:default/${name}`,
  ownerRef: 'group:default/team-checkout',
  template: 'new-service',
  version,
  current: '1.1.0',
  behind,
});

const fleet = (items: Fleet['items'], nextCursor?: string): Fleet => ({
  templates: [{ template: 'new-service', version: '1.1.0' }],
  items,
  totalCount: items.length + (nextCursor ? 25 : 0),
  behindCount: 2,
  versions: [
    { template: 'new-service', version: '1.0.0', count: 2, behind: true },
    { template: 'new-service', version: '1.1.0', count: 1, behind: false },
  ],
  nextCursor,
});

/** The routes a test does not ask for. */
const unused = {
  adoption: jest.fn(),
  repositories: jest.fn(),
};

describe('FleetPage', () => {
  it('shows the versions, filters on the server and links the chosen services to the bulk upgrade', async () => {
    const api: GoldenPathApi = {
      ...unused,
      fleet: jest
        .fn()
        .mockImplementation(async ({ behindOnly, mine }) =>
          mine
            ? fleet([])
            : fleet(
                behindOnly
                  ? [
                      service('payments-api', '1.0.0', true),
                      service('cart-service', '1.0.0', true),
                    ]
                  : [
                      service('payments-api', '1.0.0', true),
                      service('cart-service', '1.0.0', true),
                      service('orders-api', '1.1.0', false),
                    ],
              ),
        ),
    };
    await renderInTestApp(<FleetPage />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(await screen.findByText('payments-api')).toBeInTheDocument();
    expect(api.fleet).toHaveBeenLastCalledWith({
      behindOnly: true,
      mine: false,
      cursor: undefined,
      limit: 25,
    });
    expect(
      screen.getByRole('img', {
        name: '2 services on new-service 1.0.0, behind',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('3')).toBeInTheDocument(); // on the path

    // Nothing chosen: nothing to upgrade.
    const upgrade = () => screen.getByRole('button', { name: /^Upgrade/ });
    expect(upgrade()).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(
      screen.getByRole('checkbox', {
        name: 'Choose component:default/cart-service',
      }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', {
        name: 'Choose component:default/payments-api',
      }),
    );
    expect(upgrade()).toHaveTextContent('Upgrade 2 chosen');
    const href = decodeURIComponent(upgrade().getAttribute('href')!);
    expect(href).toBe(
      '/create/templates/default/fleet-upgrade-golden-path?formData={"components":["component:default/cart-service","component:default/payments-api"]}',
    );

    // All of them: a current one cannot be chosen.
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Behind only' }),
    );
    expect(await screen.findByText('orders-api')).toBeInTheDocument();
    expect(
      screen.getByRole('checkbox', {
        name: 'Choose component:default/orders-api',
      }),
    ).toBeDisabled();

    // My teams: none on the path, and what to do about it.
    await userEvent.click(screen.getByRole('checkbox', { name: 'My teams' }));
    expect(
      await screen.findByText('No service is on the golden path yet'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.fleet).toHaveBeenLastCalledWith({
        behindOnly: false,
        mine: true,
        cursor: undefined,
        limit: 25,
      }),
    );
  });

  it('says what went wrong when the fleet cannot be read', async () => {
    const api: GoldenPathApi = {
      ...unused,
      fleet: jest.fn().mockRejectedValue(new Error('the scaffolder is down')),
    };
    await renderInTestApp(<FleetPage />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByText('Error: the scaffolder is down'),
    ).toBeInTheDocument();
  });
});

describe('BehindWidget', () => {
  it("lists the person's teams' services behind, with one link that upgrades them all", async () => {
    const api: GoldenPathApi = {
      ...unused,
      fleet: jest
        .fn()
        .mockResolvedValue(
          fleet([
            service('payments-api', '1.0.0', true),
            service('cart-service', '1.0.0', true),
          ]),
        ),
    };
    await renderInTestApp(<BehindWidget />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByText(
        '2 services of your teams are behind the golden path.',
      ),
    ).toBeInTheDocument();
    expect(api.fleet).toHaveBeenCalledWith({
      mine: true,
      behindOnly: true,
      limit: 100,
    });
    expect(
      decodeURIComponent(
        screen
          .getByRole('link', { name: 'Upgrade all 2' })
          .getAttribute('href')!,
      ),
    ).toContain(
      '{"components":["component:default/payments-api","component:default/cart-service"]}',
    );
  });

  it('says when everything is current', async () => {
    const api: GoldenPathApi = {
      ...unused,
      fleet: jest.fn().mockResolvedValue(fleet([])),
    };
    await renderInTestApp(<BehindWidget />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByText(/on the current golden path/),
    ).toBeInTheDocument();
  });
});

describe('AdoptionTab', () => {
  const repository = (
    name: string,
    pipeline: RepositoryState['pipeline'],
    extra: Partial<RepositoryState> = {},
  ): RepositoryState => ({
    name,
    target: 'local',
    inCatalog: false,
    entityRefs: [],
    pipeline,
    workflows: pipeline === 'custom' ? ['.github/workflows/build.yml'] : [],
    ...extra,
  });
  const counts = {
    repositories: 3,
    inCatalog: 1,
    goldenPath: 1,
    customPipeline: 1,
    noPipeline: 1,
    ownerUnknown: 2,
  };

  it('counts the repositories, draws the trend, filters on the server, offers to adopt and shows duplicated jobs', async () => {
    const api: GoldenPathApi = {
      fleet: jest.fn().mockResolvedValue(fleet([])),
      adoption: jest.fn().mockResolvedValue({
        scannedAt: '2026-12-07T08:00:00Z',
        counts,
        trend: [
          { day: '2026-12-06', ...counts, goldenPath: 0 },
          { day: '2026-12-07', ...counts },
        ],
        duplicates: [
          {
            steps: ['uses: actions/checkout', 'run: npm ci', 'run: npm test'],
            similarity: 1,
            jobs: [
              {
                repository: 'inventory-sync',
                workflow: '.github/workflows/build.yml',
                job: 'build',
              },
              {
                repository: 'pricing-engine',
                workflow: '.github/workflows/ci.yml',
                job: 'image',
              },
            ],
          },
        ],
      }),
      repositories: jest.fn().mockImplementation(async ({ inCatalog }) => ({
        items: [
          repository('inventory-sync', 'custom'),
          ...(inCatalog === false
            ? []
            : [
                repository('wishlist-service', 'golden-path', {
                  inCatalog: true,
                  entityRefs: ['component:default/wishlist-service'],
                  ownerRef: 'group:default/team-checkout',
                  goldenPathVersion: '1.0.0',
                }),
              ]),
        ],
        totalCount: inCatalog === false ? 1 : 2,
      })),
    };
    await renderInTestApp(<AdoptionTab />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(await screen.findByText('own pipeline')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'From 2026-12-06 to 2026-12-07: on the golden path 0 to 1, in the catalog 1 to 1, of 3 repositories',
      }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Golden path 1.0.0')).toBeInTheDocument();
    // Adopt: the adopt template with the repository filled in; none for
    // one already on the path.
    const adopt = screen.getByRole('button', { name: 'Adopt inventory-sync' });
    expect(decodeURIComponent(adopt.getAttribute('href')!)).toBe(
      '/create/templates/default/adopt-golden-path?formData={"repository":"inventory-sync"}',
    );
    expect(
      screen.queryByRole('button', { name: 'Adopt wishlist-service' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText(/2 jobs, 100% alike/)).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Not in the catalog' }),
    );
    await waitFor(() =>
      expect(api.repositories).toHaveBeenLastCalledWith({
        limit: 25,
        inCatalog: false,
        cursor: undefined,
      }),
    );
    expect(await screen.findByText('1 repository')).toBeInTheDocument();
  });

  it('asks for the repositories once the search box rests, not on every keystroke', async () => {
    jest.useFakeTimers();
    try {
      const api: GoldenPathApi = {
        fleet: jest.fn(),
        adoption: jest.fn().mockResolvedValue({
          scannedAt: '2026-12-07T08:00:00Z',
          counts,
          trend: [],
          duplicates: [],
        }),
        repositories: jest.fn().mockResolvedValue({
          items: [repository('inventory-sync', 'custom')],
          totalCount: 1,
        }),
      };
      await renderInTestApp(<AdoptionTab />, {
        apis: [[goldenPathApiRef, api]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      });
      expect(await screen.findByText('1 repository')).toBeInTheDocument();
      expect(api.repositories).toHaveBeenCalledTimes(1);

      const user = userEvent.setup({
        advanceTimers: jest.advanceTimersByTime,
      });
      const box = screen.getByRole('textbox', { name: 'Search repositories' });
      await user.type(box, 'sync');
      expect(box).toHaveValue('sync');
      // Typing: nothing asked yet, nor just before the box has rested.
      act(() => {
        jest.advanceTimersByTime(299);
      });
      expect(api.repositories).toHaveBeenCalledTimes(1);
      act(() => {
        jest.advanceTimersByTime(1);
      });
      await waitFor(() => expect(api.repositories).toHaveBeenCalledTimes(2));
      expect(api.repositories).toHaveBeenLastCalledWith({
        limit: 25,
        search: 'sync',
        cursor: undefined,
      });
      // Nothing more once it has rested.
      act(() => {
        jest.advanceTimersByTime(1000);
      });
      expect(api.repositories).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells anyone but the platform team why they see nothing', async () => {
    const api: GoldenPathApi = {
      fleet: jest.fn(),
      repositories: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
      adoption: jest
        .fn()
        .mockRejectedValue(
          new Error(
            'The adoption map is for the platform team (the portal admins)',
          ),
        ),
    };
    await renderInTestApp(<AdoptionTab />, {
      apis: [[goldenPathApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByText(
        'Error: The adoption map is for the platform team (the portal admins)',
      ),
    ).toBeInTheDocument();
  });
});
