import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { SecurityPage } from './SecurityPage';

const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

/** The gate policies as the configuration seeds them, and no version yet. */
const gatePolicyApi = () => ({
  getGatePolicies: jest.fn().mockResolvedValue({
    version: 0,
    source: 'config',
    policies: [
      {
        name: 'default',
        match: {},
        rules: [
          { severity: 'critical', maxOpen: 0 },
          { severity: 'high', maxOpen: 0, maxAgeDays: 30 },
        ],
      },
    ],
  }),
  listGatePolicyVersions: jest
    .fn()
    .mockResolvedValue({ items: [], totalCount: 0 }),
  previewGatePolicies: jest.fn(),
  changeGatePolicies: jest.fn(),
});

function render(api: Partial<SecopsApi>) {
  return renderInTestApp(<SecurityPage />, {
    apis: [[secopsApiRef, api as SecopsApi]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

describe('SecurityPage', () => {
  it('shows the teams side by side and finds who is exposed to a CVE', async () => {
    const findExposure = jest.fn().mockResolvedValue({
      id: 'CVE-2019-1551',
      items: [
        {
          entityRef: 'component:default/payments-api',
          findings: 2,
          worst: 'medium',
          packages: ['libssl1.1@1.1.1c-r0'],
          knownExploited: true,
          epssPercentile: 0.96489,
        },
      ],
    });
    await render({
      listTeams: jest.fn().mockResolvedValue({
        items: [
          {
            groupRef: 'group:default/team-checkout',
            title: 'Checkout Team',
            entities: 12,
            scanned: 4,
            open: { ...zero, critical: 1, high: 5 },
            overdue: 0,
            knownExploited: 3,
          },
        ],
      }),
      topRisks: jest.fn().mockResolvedValue({ items: [] }),
      findExposure,
      ...gatePolicyApi(),
    });

    expect(await screen.findByText('Checkout Team')).toBeInTheDocument();
    expect(
      screen.getByLabelText('6 open findings of Checkout Team'),
    ).toBeInTheDocument();
    expect(screen.getByText('4 / 12')).toBeInTheDocument();
    expect(
      screen.getByRole('columnheader', { name: 'Known exploited' }),
    ).toBeInTheDocument();
    expect(screen.getByText('3')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('libssl1.1@1.1.1c-r0')).toBeInTheDocument();
    expect(
      screen.getByLabelText(
        "Known exploited: in CISA's Known Exploited Vulnerabilities catalog",
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('EPSS 96th percentile')).toBeInTheDocument();
    expect(findExposure).toHaveBeenCalledWith('CVE-2019-1551');
  });

  it('lets the security team change a gate policy after seeing what it would do', async () => {
    const api = {
      listTeams: jest.fn().mockResolvedValue({ items: [] }),
      topRisks: jest.fn().mockResolvedValue({ items: [] }),
      findExposure: jest.fn(),
      ...gatePolicyApi(),
    };
    api.previewGatePolicies.mockResolvedValue({
      entities: 120,
      failingBefore: 3,
      failingAfter: 5,
      newlyFailing: [
        {
          entityRef: 'component:default/cart-service',
          gateBefore: 'default',
          gateAfter: 'default',
        },
      ],
      newlyFailingCount: 2,
      newlyPassing: [],
      newlyPassingCount: 0,
    });
    api.changeGatePolicies.mockResolvedValue({ version: 1 });
    await render(api);

    const policy = await screen.findByRole('region', {
      name: 'Gate policy default',
    });
    expect(
      screen.getByText(/From the configuration \(secops.gates\)/),
    ).toBeInTheDocument();
    // Highs are allowed two days sooner: the age of the second rule.
    const ages = screen.getAllByLabelText('Only older than (days)');
    await userEvent.clear(ages[1]);
    await userEvent.type(ages[1], '28');
    expect(policy).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();

    await userEvent.click(
      screen.getByRole('button', { name: 'Preview the change' }),
    );
    expect(
      await screen.findByText(
        'Of 120 entities, 3 fail their gate now and 5 would with this change.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Would newly fail (2)')).toBeInTheDocument();
    expect(screen.getByText('… and 1 more')).toBeInTheDocument();
    expect(api.previewGatePolicies).toHaveBeenCalledWith([
      {
        name: 'default',
        match: {},
        rules: [
          { severity: 'critical', maxOpen: 0 },
          { severity: 'high', maxOpen: 0, maxAgeDays: 28 },
        ],
      },
    ]);

    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await userEvent.type(
      screen.getByLabelText(/Why \(kept with the version\)/),
      'Highs must be fixed within four weeks',
    );
    await userEvent.click(save);
    expect(api.changeGatePolicies).toHaveBeenCalledWith({
      policies: expect.any(Array),
      reason: 'Highs must be fixed within four weeks',
      basedOn: 0,
    });
    expect(
      await screen.findByText('Saved as version 1: the gate applies it now.'),
    ).toBeInTheDocument();
  });

  it('tells developers the page is for the security team', async () => {
    const forbidden = Object.assign(new Error('Forbidden'), {
      statusCode: 403,
    });
    await render({
      listTeams: jest.fn().mockRejectedValue(forbidden),
      topRisks: jest.fn().mockRejectedValue(forbidden),
      findExposure: jest.fn(),
    });
    expect(
      await screen.findByText('This page is for the security team'),
    ).toBeInTheDocument();
  });
});
