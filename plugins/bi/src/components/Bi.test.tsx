import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { BiApi, biApiRef } from '../api';
import { BiHubPage } from './BiHubPage';
import { DashboardsCard } from './DashboardsCard';
import { EconomicsContent } from './EconomicsContent';
import { ResponseError } from '@backstage/errors';

const system = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'payments',
    namespace: 'default',
    links: [
      {
        url: 'https://tableau.acme.example/#/views/Payments/Rates',
        title: 'Payment authorisation rates',
        type: 'dashboard',
      },
      { url: 'https://runbooks.acme.example', title: 'Runbook' },
    ],
  },
  spec: { owner: 'team-checkout' },
};

describe('DashboardsCard', () => {
  it('lists the entity’s dashboards with their tool', async () => {
    await renderInTestApp(
      <EntityProvider entity={system}>
        <DashboardsCard />
      </EntityProvider>,
    );
    expect(
      screen.getByRole('link', { name: /Payment authorisation rates/ }),
    ).toHaveAttribute(
      'href',
      'https://tableau.acme.example/#/views/Payments/Rates',
    );
    expect(screen.getByText('Tableau')).toBeInTheDocument();
    expect(screen.queryByText('Runbook')).not.toBeInTheDocument();
  });

  it('says how to add one when there is none', async () => {
    await renderInTestApp(
      <EntityProvider entity={{ ...system, metadata: { name: 'x' } }}>
        <DashboardsCard />
      </EntityProvider>,
    );
    expect(screen.getByText(/No dashboards yet/)).toBeInTheDocument();
  });
});

describe('BiHubPage', () => {
  it('groups dashboards by domain and product, searches on the server', async () => {
    const api: BiApi = {
      getEconomics: jest.fn(),
      listDashboards: jest.fn().mockImplementation(async ({ search }) => ({
        items: search
          ? []
          : [
              {
                title: 'Storefront sales overview',
                url: 'https://tableau.acme.example/#/views/Storefront/Sales',
                tool: 'Tableau',
                entityRef: 'domain:default/storefront',
                entityTitle: 'storefront',
                kind: 'domain',
                ownerRef: 'group:default/business',
                domainRef: 'domain:default/storefront',
              },
              {
                title: 'Refunds and chargebacks',
                url: 'https://metabase.acme.example/dashboard/31',
                tool: 'Metabase',
                entityRef: 'system:default/payments',
                entityTitle: 'payments',
                kind: 'system',
                ownerRef: 'group:default/team-checkout',
                systemRef: 'system:default/payments',
                domainRef: 'domain:default/storefront',
              },
            ],
        totalCount: search ? 0 : 3,
        nextCursor: search ? undefined : '2',
      })),
    };
    await renderInTestApp(<BiHubPage />, {
      apis: [[biApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByRole('link', { name: /Refunds and chargebacks/ }),
    ).toBeInTheDocument();
    expect(screen.getByText('The domain itself')).toBeInTheDocument();
    expect(screen.getByText(/Product:/)).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show more (2 of 3)' }),
    );
    await waitFor(() =>
      expect(api.listDashboards).toHaveBeenLastCalledWith({
        search: undefined,
        limit: 48,
      }),
    );
    await userEvent.type(
      screen.getByLabelText('Search dashboards'),
      'nothing like this',
    );
    expect(
      await screen.findByText('No dashboard matches “nothing like this”'),
    ).toBeInTheDocument();
  });
});

describe('EconomicsContent', () => {
  const economics = {
    ref: 'system:default/checkout',
    currency: 'USD',
    months: ['2026-08', '2026-09', '2026-10'],
    cost: [1000, 1200, 300],
    metrics: [
      {
        name: 'orders',
        title: 'Orders',
        unit: 'order',
        values: [40000, 48000, null],
        unitCost: [0.025, 0.025, null],
      },
    ],
    errors: [{ metric: 'Active users', message: 'cannot read users.csv' }],
    demo: true,
  };
  const product = {
    ...system,
    metadata: { name: 'checkout', namespace: 'default' },
  };

  it('shows cost, the metric and the unit cost, and a failing source', async () => {
    const api: BiApi = {
      listDashboards: jest.fn(),
      getEconomics: jest.fn().mockResolvedValue(economics),
    };
    await renderInTestApp(
      <EntityProvider entity={product}>
        <EconomicsContent />
      </EntityProvider>,
      { apis: [[biApiRef, api]] },
    );
    expect(
      await screen.findByRole('img', {
        name: 'Monthly cloud cost and cost per order',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Cost per order')).toBeInTheDocument();
    expect(screen.getByText('48,000')).toBeInTheDocument();
    expect(screen.getByText(/per order in 2026-09/)).toBeInTheDocument();
    expect(
      screen.getByText(/The metric “Active users” could not be read/),
    ).toBeInTheDocument();
  });

  it('explains a refusal', async () => {
    const body = JSON.stringify({
      error: { name: 'NotAllowedError', message: 'for business' },
      response: { statusCode: 403 },
    });
    const refusal = await ResponseError.fromResponse({
      status: 403,
      statusText: 'Forbidden',
      url: 'http://localhost/api/bi',
      headers: { get: () => 'application/json' },
      text: async () => body,
      json: async () => JSON.parse(body),
    } as unknown as Response);
    const api: BiApi = {
      listDashboards: jest.fn(),
      getEconomics: jest.fn().mockRejectedValue(refusal),
    };
    await renderInTestApp(
      <EntityProvider entity={product}>
        <EconomicsContent />
      </EntityProvider>,
      { apis: [[biApiRef, api]] },
    );
    expect(
      await screen.findByText(/are for the business side, finance/),
    ).toBeInTheDocument();
  });
});
