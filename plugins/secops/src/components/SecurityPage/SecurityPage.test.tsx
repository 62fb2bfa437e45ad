import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { SecurityPage } from './SecurityPage';

const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

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
