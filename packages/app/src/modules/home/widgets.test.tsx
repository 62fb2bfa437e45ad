import { screen } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  MyCostWidget,
  MyReliabilityWidget,
  MySecurityWidget,
  MyServicesWidget,
  TemplatesWidget,
} from './widgets';

const user = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'ben-okafor', namespace: 'default' },
  spec: {},
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-checkout' }],
};
const payments = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-checkout' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-checkout' }],
};
const other = {
  ...payments,
  metadata: { name: 'search-service', namespace: 'default' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-catalog' }],
};
const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name: 'node-service',
    namespace: 'default',
    title: 'Node.js service',
    description: 'A service with CI, IaC and cost tags',
  },
  spec: {},
};

const identity = mockApis.identity({
  userEntityRef: 'user:default/ben-okafor',
  ownershipEntityRefs: [
    'user:default/ben-okafor',
    'group:default/team-checkout',
  ],
});

/** The portal's backends, answering with the given bodies by path. */
function backends(bodies: Record<string, unknown>) {
  return [
    [
      discoveryApiRef,
      { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
    ],
    [
      fetchApiRef,
      {
        fetch: async (url: string) => {
          const path = url.replace('http://backend/api', '');
          const body = bodies[path];
          return {
            ok: body !== undefined,
            status: body === undefined ? 403 : 200,
            json: async () => body,
          };
        },
      },
    ],
  ] as const;
}

function apis(bodies: Record<string, unknown> = {}) {
  return [
    [identityApiRef, identity],
    [
      catalogApiRef,
      catalogApiMock({ entities: [user, payments, other, template] }),
    ],
    ...backends(bodies),
  ] as any;
}

describe('home widgets', () => {
  it('lists what the person’s teams own, and nothing else', async () => {
    await renderInTestApp(<MyServicesWidget />, { apis: apis() });
    expect(
      await screen.findByText('payments-api', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('component · service · production'),
    ).toBeInTheDocument();
    expect(screen.queryByText('search-service')).not.toBeInTheDocument();
  });

  it('shows the team’s open findings and what is overdue', async () => {
    await renderInTestApp(<MySecurityWidget />, {
      apis: apis({
        '/secops/groups/default/team-checkout/posture?limit=1': {
          totals: {
            open: { critical: 2, high: 5, medium: 1, low: 0, info: 0 },
            overdue: 3,
            scanned: 4,
          },
        },
        '/secops/entities/component/default/payments-api/gate': {
          current: { passed: false },
        },
      }),
    });
    expect(
      await screen.findByText('2 critical', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('3 overdue')).toBeInTheDocument();
    expect(screen.getByText(/Release gate failing/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'payments-api' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/security',
    );
  });

  it('shows the team’s SLOs that burn their budget, worst first', async () => {
    await renderInTestApp(<MyReliabilityWidget />, {
      apis: apis({
        '/sre/groups/default/team-checkout/slos?limit=20': {
          totalCount: 3,
          items: [
            {
              id: 'a',
              entityRef: 'component:default/cart-service',
              displayName: 'Availability',
              status: 'exhausted',
              errorBudgetRemaining: -0.3,
            },
            {
              id: 'b',
              entityRef: 'component:default/payments-api',
              displayName: 'Availability',
              status: 'burning-fast',
              errorBudgetRemaining: 0.5,
            },
            {
              id: 'c',
              entityRef: 'component:default/payments-api',
              displayName: 'Latency',
              status: 'ok',
              errorBudgetRemaining: 0.4,
            },
          ],
        },
      }),
    });
    expect(
      await screen.findByText('Budget exhausted', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('Burning fast')).toBeInTheDocument();
    expect(screen.queryByText('Latency')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'cart-service' })).toHaveAttribute(
      'href',
      '/catalog/default/component/cart-service/reliability',
    );
  });

  it('says when every SLO is within budget, or that there are none', async () => {
    await renderInTestApp(<MyReliabilityWidget />, {
      apis: apis({
        '/sre/groups/default/team-checkout/slos?limit=20': {
          totalCount: 0,
          items: [],
        },
      }),
    });
    expect(
      await screen.findByText(/Your teams declare no SLOs yet/, undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
  });

  it('shows the team’s spend, budget forecast and alerts', async () => {
    await renderInTestApp(<MyCostWidget />, {
      apis: apis({
        '/finops/groups/default/team-checkout/cost?days=30': {
          total: 1200,
          previousTotal: 1000,
          currency: 'USD',
          budget: {
            month: '2026-10',
            budget: 1000,
            actual: 900,
            forecast: 1300,
          },
          alerts: [
            { id: 'a', message: 'payments-api cost 400 USD on 2026-10-31' },
          ],
        },
      }),
    });
    expect(
      await screen.findByText(/\$1,200 in 30 days \(\+20%\)/, undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/forecast \$1,300 of a \$1,000 budget/),
    ).toBeInTheDocument();
    expect(screen.getByText(/payments-api cost 400 USD/)).toBeInTheDocument();
  });

  it('says so when a backend refuses, instead of failing', async () => {
    await renderInTestApp(<MyCostWidget />, { apis: apis({}) });
    expect(
      await screen.findByText(
        'No cloud cost is attributed to your teams.',
        undefined,
        {
          timeout: 5000,
        },
      ),
    ).toBeInTheDocument();
  });

  it('lists the templates', async () => {
    await renderInTestApp(<TemplatesWidget />, { apis: apis() });
    expect(
      await screen.findByText('Node.js service', undefined, { timeout: 5000 }),
    ).toHaveAttribute('href', '/create/templates/default/node-service');
  });
});
