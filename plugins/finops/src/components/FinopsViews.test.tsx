import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { MyCostWidget } from './MyCostWidget';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { CostSummary, GroupCost } from '@portal/plugin-finops-common';
import { FinopsApi, finopsApiRef } from '../api/FinopsClient';
import { EntityCostContent } from './EntityCostContent';
import { GroupCostContent } from './GroupCostContent';
import { FinopsPage } from './FinopsPage';

// Whether the user may manage budgets (usePermission caches across renders,
// so the tests set the answer here).
let mockAllowed = false;
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: () => ({ loading: false, allowed: mockAllowed }),
}));

const summary: CostSummary = {
  ref: 'component:default/payments-api',
  currency: 'USD',
  from: '2026-10-02',
  to: '2026-10-31',
  total: 1234,
  previousTotal: 1000,
  allocated: 0,
  daily: [
    { period: '2026-10-30', amount: 40 },
    { period: '2026-10-31', amount: 44 },
  ],
  monthly: [{ period: '2026-10', amount: 1234 }],
  byService: [
    { key: 'Amazon EC2', amount: 1000, previous: 900 },
    { key: 'Amazon S3', amount: 234, previous: 100 },
  ],
  estimatedFrom: '2026-10-31',
  demo: true,
};

const groupCost: GroupCost = {
  ...summary,
  ref: 'group:default/engineering',
  byChild: [
    {
      key: 'group:default/team-checkout',
      title: 'Checkout Team',
      amount: 1000,
      previous: 800,
    },
  ],
  byEntity: [],
  topMovers: [
    {
      key: 'component:default/payments-api',
      title: 'payments-api',
      amount: 600,
      previous: 200,
    },
  ],
  budget: { month: '2026-10', budget: 1000, actual: 1234, forecast: 1300 },
  allocated: 120,
  allocations: [
    {
      key: 'AWS Support plan',
      title: 'unattributed spend on AWS Support',
      amount: 120,
      previous: 100,
    },
  ],
  alerts: [
    {
      id: 'a1',
      kind: 'anomaly',
      ref: 'component:default/payments-api',
      day: '2026-10-31',
      amount: 440,
      expected: 40,
      message: 'payments-api cost 440.00 USD on 2026-10-31, 11.0× its average',
      createdAt: '2026-10-31T06:00:00Z',
    },
  ],
};

function apiWith(partial: Partial<FinopsApi>): FinopsApi {
  return {
    getEntityCost: jest.fn().mockResolvedValue(summary),
    getGroupCost: jest.fn().mockResolvedValue(groupCost),
    listGroupEntities: jest.fn().mockResolvedValue({
      items: [
        {
          key: 'component:default/payments-api',
          title: 'payments-api',
          amount: 600,
          previous: 200,
        },
      ],
      totalCount: 1,
    }),
    getOrganisationCost: jest.fn(),
    listUnattributed: jest.fn(),
    getMySummary: jest.fn().mockResolvedValue({ items: [] }),
    getRecommendations: jest.fn().mockResolvedValue({
      items: [
        {
          source: 'aws-ce',
          kind: 'reserved-instances',
          description: '2 x db.r6g.large, eu-west-1, PostgreSQL',
          service: 'Amazon Relational Database Service',
          term: 'ONE_YEAR',
          paymentOption: 'NO_UPFRONT',
          estimatedMonthlySavings: 140.5,
          upfrontCost: 0,
          currency: 'USD',
          fetchedAt: '2026-10-31T06:00:00Z',
        },
      ],
    }),
    getAllocations: jest.fn().mockResolvedValue({
      from: '2026-10-02',
      to: '2026-10-31',
      items: [
        {
          name: 'AWS Support plan',
          method: 'proportional',
          matches: 'unattributed spend on AWS Support',
          amount: 1440,
          shares: [
            {
              key: 'group:default/team-checkout',
              title: 'Checkout Team',
              amount: 1000,
              previous: 0,
            },
          ],
        },
      ],
    }),
    getStatus: jest.fn().mockResolvedValue({
      sources: [
        {
          source: 'focus:aws',
          lastSuccess: {
            id: '1',
            source: 'focus:aws',
            status: 'succeeded',
            startedAt: '2026-10-31T00:00:00Z',
            finishedAt: '2026-10-31T00:01:00Z',
            rowsRead: 10,
            rowsStored: 10,
          },
          lastFailure: {
            id: '2',
            source: 'focus:aws',
            status: 'failed',
            startedAt: '2026-11-01T00:00:00Z',
            finishedAt: '2026-11-01T00:01:00Z',
            rowsRead: 0,
            rowsStored: 0,
            error: 'FOCUS file, line 4: EffectiveCost "x" is not a number',
          },
        },
      ],
      demo: true,
    }),
    exportCsv: jest.fn(),
    setBudget: jest.fn(),
    ...partial,
  };
}

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-checkout' },
};
const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'engineering', namespace: 'default' },
  spec: { type: 'department', children: [] },
};

/** The error the client throws for a 403 from the backend. */
function refusal(message: string) {
  const body = JSON.stringify({
    error: { name: 'NotAllowedError', message },
    response: { statusCode: 403 },
  });
  return ResponseError.fromResponse({
    status: 403,
    statusText: 'Forbidden',
    url: 'http://localhost/api/finops',
    headers: { get: () => 'application/json' },
    text: async () => body,
    json: async () => JSON.parse(body),
  } as unknown as Response);
}

describe('MyCostWidget (home page)', () => {
  it("shows each team's spend, budget forecast and alerts, from one call", async () => {
    const api = apiWith({
      getMySummary: jest.fn().mockResolvedValue({
        items: [
          {
            groupRef: 'group:default/team-checkout',
            title: 'Checkout',
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
              {
                id: 'a',
                kind: 'anomaly',
                ref: 'component:default/payments-api',
                message: 'payments-api cost 400 USD on 2026-10-31',
              },
            ],
          },
        ],
      }),
    });
    await renderInTestApp(<MyCostWidget />, { apis: [[finopsApiRef, api]] });
    expect(
      await screen.findByText(/\$1,200 in 30 days \(\+20%\)/, undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/forecast \$1,300 of a \$1,000 budget/),
    ).toBeInTheDocument();
    expect(screen.getByText(/payments-api cost 400 USD/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Checkout' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-checkout/cost',
    );
    expect(api.getMySummary).toHaveBeenCalledTimes(1);
  });

  it('says so when no cost is attributed to the teams', async () => {
    await renderInTestApp(<MyCostWidget />, {
      apis: [[finopsApiRef, apiWith({})]],
    });
    expect(
      await screen.findByText('No cloud cost is attributed to your teams.'),
    ).toBeInTheDocument();
  });
});

describe('EntityCostContent', () => {
  it('shows the total, the change, the services and the failed import', async () => {
    const api = apiWith({});
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(await screen.findByText('$1,234')).toBeInTheDocument();
    expect(screen.getByText('+23% ↑')).toBeInTheDocument();
    expect(screen.getByText('Amazon EC2')).toBeInTheDocument();
    expect(screen.getByText(/Demo data/)).toBeInTheDocument();
    expect(
      screen.getByText(/The last import from focus:aws failed/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Daily spend of component:default/payments-api',
      }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: '90 days' }));
    await waitFor(() =>
      expect(api.getEntityCost).toHaveBeenLastCalledWith(
        'component:default/payments-api',
        90,
      ),
    );
  });

  it('says how spend gets here when there is none', async () => {
    const api = apiWith({
      getEntityCost: jest
        .fn()
        .mockResolvedValue({ ...summary, total: 0, previousTotal: 0 }),
    });
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(
      await screen.findByText(/No cloud spend is attributed to this entity/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /cost-allocation tag with the value component:default\/payments-api/,
      ),
    ).toBeInTheDocument();
  });

  it('explains a refusal instead of failing', async () => {
    const api = apiWith({
      getEntityCost: jest
        .fn()
        .mockRejectedValue(
          await refusal('You may see the cost of what your teams own'),
        ),
    });
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(
      await screen.findByText(
        /shown to the owners of this entity and to finance/,
      ),
    ).toBeInTheDocument();
  });
});

describe('GroupCostContent', () => {
  it('shows teams, budget, alerts and the entities page by page', async () => {
    const api = apiWith({});
    await renderInTestApp(
      <EntityProvider entity={group}>
        <GroupCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(await screen.findByText('Checkout Team')).toBeInTheDocument();
    expect(
      screen.getByText(/Month-end forecast \$1,300: over budget/),
    ).toBeInTheDocument();
    expect(screen.getByText(/11.0× its average/)).toBeInTheDocument();
    expect(screen.getByText('Allocated shared costs')).toBeInTheDocument();
    expect(
      screen.getByText(/Plus \$120 of shared costs allocated to it/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.listGroupEntities).toHaveBeenCalledWith(
        'group:default/engineering',
        30,
        { limit: 10, cursor: undefined },
      ),
    );
    expect(await screen.findAllByText('payments-api')).not.toHaveLength(0);
  });
});

describe('GroupCostContent budget', () => {
  it('lets finance set a monthly budget, and checks the amount', async () => {
    mockAllowed = true;
    const api = apiWith({
      getGroupCost: jest
        .fn()
        .mockResolvedValue({ ...groupCost, budget: undefined }),
      setBudget: jest.fn().mockResolvedValue(undefined),
    });
    await renderInTestApp(
      <EntityProvider entity={group}>
        <GroupCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    const input = await screen.findByLabelText('Monthly budget');
    await userEvent.type(input, '-5');
    await userEvent.click(screen.getByRole('button', { name: 'Set' }));
    expect(
      await screen.findByText('Enter a monthly amount above 0'),
    ).toBeInTheDocument();
    expect(api.setBudget).not.toHaveBeenCalled();
    await userEvent.clear(input);
    await userEvent.type(input, '25000');
    await userEvent.click(screen.getByRole('button', { name: 'Set' }));
    await waitFor(() =>
      expect(api.setBudget).toHaveBeenCalledWith(
        'group:default/engineering',
        25000,
      ),
    );
    await waitFor(() => expect(api.getGroupCost).toHaveBeenCalledTimes(2));
  });

  it('shows no budget form to others', async () => {
    mockAllowed = false;
    const api = apiWith({
      getGroupCost: jest
        .fn()
        .mockResolvedValue({ ...groupCost, budget: undefined }),
    });
    await renderInTestApp(
      <EntityProvider entity={group}>
        <GroupCostContent />
      </EntityProvider>,
      { apis: [[finopsApiRef, api]] },
    );
    expect(
      await screen.findByText(/No monthly budget is set for this group/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Monthly budget')).not.toBeInTheDocument();
  });
});

describe('FinopsPage', () => {
  it('shows departments, products and unattributed spend to finance', async () => {
    const api = apiWith({
      getOrganisationCost: jest.fn().mockResolvedValue({
        currency: 'USD',
        months: ['2026-09', '2026-10'],
        byDepartment: [
          {
            ref: 'group:default/engineering',
            title: 'Engineering',
            amounts: [10, 20],
          },
        ],
        byProduct: [
          { ref: 'system:default/shop', title: 'Shop', amounts: [5, 6] },
        ],
        unattributed: [1, 2],
        demo: false,
      }),
      listUnattributed: jest.fn().mockResolvedValue({
        items: [
          {
            service: 'AWS Support',
            account: '3333',
            tagValue: '',
            reason: 'untagged',
            amount: 120,
          },
        ],
        totalCount: 1,
        total: 120,
      }),
    });
    await renderInTestApp(<FinopsPage />, { apis: [[finopsApiRef, api]] });
    expect(await screen.findByText('Engineering')).toBeInTheDocument();
    expect(screen.getAllByText('Shop').length).toBeGreaterThan(0);
    expect(
      await screen.findByText('No cost-allocation tag'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Unattributed spend: \$120 in the last 30 days/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('AWS Support plan: $1,440'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('2 x db.r6g.large, eu-west-1, PostgreSQL'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Up to \$141 a month/)).toBeInTheDocument();
  });

  it('tells others where to find their own cost', async () => {
    const api = apiWith({
      getOrganisationCost: jest
        .fn()
        .mockRejectedValue(await refusal('Only the finance group may see it')),
    });
    await renderInTestApp(<FinopsPage />, { apis: [[finopsApiRef, api]] });
    expect(
      await screen.findByText(/The organisation's cost is for finance/),
    ).toBeInTheDocument();
  });
});
