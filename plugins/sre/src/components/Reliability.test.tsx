import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { MyReliabilityWidget } from './MyReliabilityWidget';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { Slo } from '@portal/plugin-sre-common';
import { SreApi, sreApiRef } from '../api';
import { EntityReliabilityContent } from './EntityReliabilityContent';
import { GroupReliabilityContent } from './GroupReliabilityContent';
import { BudgetBar } from './sloViews';

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-checkout' },
};
const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-checkout', namespace: 'default' },
  spec: {},
};

const slo = (over: Partial<Slo>): Slo => ({
  id: 'a'.repeat(64),
  entityRef: 'component:default/payments-api',
  name: 'availability',
  displayName: 'Availability',
  target: 0.999,
  window: '28d',
  sourceType: 'Prometheus',
  goodQuery: 'g',
  totalQuery: 't',
  sli: 0.99957,
  errorBudgetRemaining: 0.57,
  burnRates: { '5m': 100, '30m': 100, '1h': 70.6, '6h': 10.8, '3d': 1.5 },
  status: 'burning-fast',
  evaluatedAt: '2026-11-26T10:00:00Z',
  ...over,
});

const status = {
  configured: true,
  sources: [{ name: 'demo', type: 'Prometheus', url: 'http://127.0.0.1:9464' }],
  lastEvaluationAt: '2026-11-26T10:00:00Z',
  problems: [],
};

function api(over: Partial<SreApi> = {}): SreApi {
  return {
    status: jest.fn().mockResolvedValue(status),
    entitySlos: jest
      .fn()
      .mockResolvedValue({ items: [slo({})], totalCount: 1, problems: [] }),
    groupSlos: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, entityCount: 0 }),
    history: jest.fn().mockResolvedValue({
      slo: slo({}),
      points: [
        {
          at: '2026-11-25T10:00:00Z',
          sli: 0.9996,
          errorBudgetRemaining: 0.7,
          burnRate1h: 0.3,
          burnRate6h: 0.3,
          status: 'ok',
        },
        {
          at: '2026-11-26T10:00:00Z',
          sli: 0.99957,
          errorBudgetRemaining: 0.57,
          burnRate1h: 70,
          burnRate6h: 10,
          status: 'burning-fast',
        },
      ],
    }),
    entityAlerts: jest.fn().mockResolvedValue({
      items: [
        {
          id: 'x',
          entityRef: 'component:default/payments-api',
          alertName: 'HighErrorRate',
          status: 'firing',
          severity: 'page',
          summary: 'More than 5% of payments fail',
          startsAt: '2026-11-26T09:20:00Z',
          receivedAt: '2026-11-26T09:20:05Z',
          generatorUrl: 'https://prometheus.acme.example/graph',
        },
      ],
      totalCount: 1,
    }),
    groupAlerts: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    mySummary: jest
      .fn()
      .mockResolvedValue({ teams: [], totalCount: 0, worst: [] }),
    entityDelivery: jest.fn().mockResolvedValue({
      configured: true,
      metrics: {
        entityRef: 'component:default/payments-api',
        signal: 'deployments',
        periodDays: 30,
        deployments: 7,
        deploymentsPerDay: 7 / 30,
        leadTimeHours: 33,
        changeFailureRate: 4 / 9,
        timeToRestoreHours: 2,
        incidents: 2,
        computedAt: '2026-11-26T09:00:00Z',
      },
    }),
    groupDelivery: jest.fn().mockResolvedValue({
      configured: false,
      team: {
        entities: 0,
        deployments: 0,
        deploymentsPerDay: 0,
        leadTimeHours: null,
        changeFailureRate: null,
        timeToRestoreHours: null,
      },
      entities: [],
    }),
    observability: jest.fn().mockResolvedValue({
      configured: true,
      links: [
        {
          kind: 'dashboards',
          title: 'Grafana',
          url: 'https://grafana.acme.example/d/svc?var-service=payments-api',
          source: 'config',
        },
        {
          kind: 'logs',
          title: 'Linked by the team',
          url: 'https://loki.acme.example/payments',
          source: 'annotation',
        },
      ],
    }),
    ...over,
  };
}

describe('MyReliabilityWidget (home page)', () => {
  it("shows the teams' SLOs that burn their budget, worst first, from one call", async () => {
    const sreApi = api({
      mySummary: jest.fn().mockResolvedValue({
        teams: ['group:default/team-checkout'],
        totalCount: 3,
        worst: [
          slo({
            id: 'a',
            entityRef: 'component:default/cart-service',
            status: 'exhausted',
          }),
          slo({ id: 'b', status: 'burning-fast' }),
          slo({ id: 'c', displayName: 'Latency', status: 'ok' }),
        ],
      }),
    });
    await renderInTestApp(<MyReliabilityWidget />, {
      apis: [[sreApiRef, sreApi]],
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
    expect(sreApi.mySummary).toHaveBeenCalledTimes(1);
  });

  it('says when every SLO is within budget, or that there are none', async () => {
    await renderInTestApp(<MyReliabilityWidget />, {
      apis: [
        [
          sreApiRef,
          api({
            mySummary: jest.fn().mockResolvedValue({
              teams: [],
              totalCount: 2,
              worst: [slo({ status: 'ok' }), slo({ id: 'z', status: 'ok' })],
            }),
          }),
        ],
      ],
    });
    expect(
      await screen.findByText(
        'All 2 SLOs of your teams are within budget.',
        undefined,
        {
          timeout: 5000,
        },
      ),
    ).toBeInTheDocument();
  });
});

describe('BudgetBar', () => {
  it('is a meter with its value, or decoration next to "no data" before an SLO has one', async () => {
    const { unmount } = await renderInTestApp(
      <>
        <BudgetBar remaining={-0.64} />
        <BudgetBar remaining={0.57} />
      </>,
    );
    const meters = screen.getAllByRole('meter', {
      name: 'Error budget remaining',
    });
    expect(meters.map(m => m.getAttribute('aria-valuenow'))).toEqual([
      '0',
      '57',
    ]);
    expect(meters[0]).toHaveAttribute('aria-valuetext', 'overspent (-64%)');
    unmount();
    await renderInTestApp(<BudgetBar remaining={null} />);
    expect(screen.queryByRole('meter')).toBeNull();
    expect(screen.getByText('no data')).toBeInTheDocument();
  });
});

describe('EntityReliabilityContent', () => {
  it('shows each SLO with its status, budget, burn rates, chart and the alerts', async () => {
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityReliabilityContent />
      </EntityProvider>,
      { apis: [[sreApiRef, api()]] },
    );
    expect(await screen.findByText('Availability')).toBeInTheDocument();
    expect(screen.getByText('Burning fast')).toBeInTheDocument();
    expect(screen.getByText('99.957%')).toBeInTheDocument();
    expect(
      screen.getByRole('meter', { name: 'Error budget remaining' }),
    ).toHaveAttribute('aria-valuenow', '57');
    expect(screen.getByText('57% left')).toBeInTheDocument();
    expect(screen.getByText('70.60')).toBeInTheDocument();
    expect(
      await screen.findByRole('img', {
        name: 'Error budget remaining over time',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('HighErrorRate')).toBeInTheDocument();
    expect(screen.getByText('0.23 / day')).toBeInTheDocument();
    expect(screen.getByText('33 h')).toBeInTheDocument();
    expect(screen.getByText('44%')).toBeInTheDocument();
    expect(screen.getByText('2.0 h')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: /Grafana/ }),
    ).toHaveAttribute(
      'href',
      'https://grafana.acme.example/d/svc?var-service=payments-api',
    );
    expect(
      screen.getByRole('link', { name: /Linked by the team/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/From Prometheus demo \(http:\/\/127.0.0.1:9464\)/),
    ).toBeInTheDocument();
  });

  it('shows the last known values with the error when the last evaluation failed', async () => {
    const failing = slo({
      lastError:
        'Prometheus demo (http://127.0.0.1:9464) is unreachable: ECONNREFUSED',
      lastErrorAt: '2026-11-26T10:05:00Z',
    });
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityReliabilityContent />
      </EntityProvider>,
      {
        apis: [
          [
            sreApiRef,
            api({
              entitySlos: jest
                .fn()
                .mockResolvedValue({ items: [failing], totalCount: 1 }),
            }),
          ],
        ],
      },
    );
    expect(
      await screen.findByText(/The last evaluation failed .*ECONNREFUSED/),
    ).toBeInTheDocument();
    expect(screen.getByText('99.957%')).toBeInTheDocument();
  });

  it('says what to do when there are no SLOs and nothing is configured', async () => {
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityReliabilityContent />
      </EntityProvider>,
      {
        apis: [
          [
            sreApiRef,
            api({
              status: jest.fn().mockResolvedValue({
                configured: false,
                sources: [],
                problems: [],
              }),
              entitySlos: jest
                .fn()
                .mockResolvedValue({ items: [], totalCount: 0, problems: [] }),
              entityAlerts: jest
                .fn()
                .mockResolvedValue({ items: [], totalCount: 0 }),
            }),
          ],
        ],
      },
    );
    expect(await screen.findByText('No SLOs declared yet')).toBeInTheDocument();
    expect(screen.getByText(/No SLI source is configured/)).toBeInTheDocument();
  });

  it('shows a refusal as an error, not a blank page', async () => {
    const refused = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You may not see reliability data',
          },
        }),
        {
          status: 403,
          headers: { 'content-type': 'application/json' },
        },
      ) as any,
    );
    await renderInTestApp(
      <EntityProvider entity={component}>
        <EntityReliabilityContent />
      </EntityProvider>,
      {
        apis: [
          [
            sreApiRef,
            api({ entitySlos: jest.fn().mockRejectedValue(refused) }),
          ],
        ],
      },
    );
    expect(
      await screen.findByText(/You may not see reliability data/),
    ).toBeInTheDocument();
  });
});

describe('GroupReliabilityContent', () => {
  it('lists the SLOs worst first with hardening candidates, and pages on the server', async () => {
    const groupSlos = jest
      .fn()
      .mockResolvedValueOnce({
        items: [
          slo({
            entityRef: 'component:default/cart-service',
            status: 'exhausted',
            errorBudgetRemaining: -0.35,
          }),
          slo({ id: 'b'.repeat(64) }),
        ],
        totalCount: 3,
        entityCount: 4,
        nextCursor: 'Mg',
      })
      .mockResolvedValueOnce({
        items: [
          slo({
            id: 'c'.repeat(64),
            entityRef: 'component:default/order-service',
            status: 'ok',
          }),
        ],
        totalCount: 3,
        entityCount: 4,
      });
    await renderInTestApp(
      <EntityProvider entity={group}>
        <GroupReliabilityContent />
      </EntityProvider>,
      { apis: [[sreApiRef, api({ groupSlos })]] },
    );
    expect(
      await screen.findByText('SLOs, worst first (3 across 4 entities)'),
    ).toBeInTheDocument();
    expect(screen.getByText('overspent (-35%)')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'cart-service' })).toHaveLength(
      2,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(
      await screen.findByRole('link', { name: 'order-service' }),
    ).toBeInTheDocument();
    expect(groupSlos).toHaveBeenLastCalledWith(
      'group:default/team-checkout',
      'Mg',
    );
  });
});
