import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { ScorecardCard } from './ScorecardCard';
import { ScorecardsPage } from './ScorecardsPage';

const identity = {
  getBackstageIdentity: async () => ({
    type: 'user',
    userEntityRef: 'user:default/ben-okafor',
    ownershipEntityRefs: [
      'user:default/ben-okafor',
      'group:default/team-checkout',
    ],
  }),
};

function render(ui: JSX.Element, api: Partial<SecopsApi>) {
  return renderInTestApp(ui, {
    apis: [
      [secopsApiRef, api as SecopsApi],
      [identityApiRef, identity as any],
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

const checks = {
  items: [
    {
      id: 'owner-and-docs',
      title: 'Has an owner and docs',
      description: 'Owner and TechDocs.',
      level: 'bronze' as const,
    },
    {
      id: 'gate-passing',
      title: 'Release gate passing',
      description: 'The gate passes.',
      level: 'silver' as const,
    },
    {
      id: 'no-open-high',
      title: 'No open critical or high finding',
      description: 'None open.',
      level: 'gold' as const,
    },
  ],
};

describe('ScorecardsPage', () => {
  it('ranks the teams with their score, levels and change, marks yours, and lets security evaluate now', async () => {
    const getLeaderboard = jest.fn().mockResolvedValue({
      day: '2026-12-07',
      trendSince: '2026-11-30',
      totalCount: 2,
      items: [
        {
          rank: 1,
          groupRef: 'group:default/team-catalog',
          title: 'Catalog',
          entities: 4,
          score: 92.5,
          gold: 2,
          silver: 3,
          bronze: 4,
          change: 5,
        },
        {
          rank: 2,
          groupRef: 'group:default/team-checkout',
          title: 'Checkout',
          entities: 3,
          score: 61.2,
          gold: 0,
          silver: 1,
          bronze: 2,
          change: -2.5,
        },
      ],
    });
    const evaluateScorecards = jest.fn().mockResolvedValue({
      day: '2026-12-07',
      entities: 7,
      checks: 3,
      results: 21,
      groups: 2,
      ms: 1200,
    });
    await render(<ScorecardsPage />, {
      getLeaderboard,
      listScorecardChecks: jest.fn().mockResolvedValue(checks),
      listCampaigns: jest.fn().mockResolvedValue({ items: [] }),
      evaluateScorecards,
    });
    expect(
      await screen.findByRole('table', { name: 'Leaderboard of teams' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Catalog: score 92.5 of 100' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('2 gold · 3 silver · 4 bronze of 4'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('up 5 points')).toBeInTheDocument();
    expect(screen.getByLabelText('down 2.5 points')).toBeInTheDocument();
    expect(screen.getByText('your team')).toBeInTheDocument();
    expect(screen.getByText(/change since 2026-11-30/)).toBeInTheDocument();
    expect(
      await screen.findByText(/Has an owner and docs\./),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    expect(
      await screen.findByText('Evaluated 3 checks over 7 components in 1.2 s.'),
    ).toBeInTheDocument();
    expect(getLeaderboard).toHaveBeenCalledTimes(2);
  });

  it('says what to do when nothing was evaluated yet', async () => {
    await render(<ScorecardsPage />, {
      getLeaderboard: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
      listScorecardChecks: jest.fn().mockResolvedValue(checks),
      listCampaigns: jest.fn().mockResolvedValue({ items: [] }),
    });
    expect(await screen.findByText(/No campaign yet/)).toBeInTheDocument();
    expect(await screen.findByText('No scorecards yet')).toBeInTheDocument();
  });
});

describe('CampaignsCard', () => {
  it('shows each campaign with its progress, and lets the security team start one', async () => {
    const campaign = {
      id: 'c1',
      title: 'Production at silver',
      targetLevel: 'silver' as const,
      match: { lifecycle: ['production'] },
      dueDate: '2027-03-31',
      createdBy: 'user:default/jonas-berg',
      createdAt: '2026-12-07T08:00:00.000Z',
      total: 40,
      reached: 12,
      daysLeft: 114,
      overdue: false,
    };
    const listCampaigns = jest
      .fn()
      .mockResolvedValueOnce({ items: [] })
      .mockResolvedValue({ items: [campaign] });
    const createCampaign = jest.fn().mockResolvedValue(campaign);
    await render(<ScorecardsPage />, {
      getLeaderboard: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
      listScorecardChecks: jest.fn().mockResolvedValue(checks),
      listCampaigns,
      createCampaign,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Start a campaign' }),
    );
    await userEvent.type(
      screen.getByLabelText('Campaign'),
      'Production at silver',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Start campaign' }),
    );
    expect(createCampaign).toHaveBeenCalledWith(
      expect.objectContaining({
        title: 'Production at silver',
        targetLevel: 'silver',
        match: { lifecycle: ['production'] },
      }),
    );
    expect(
      await screen.findByText(
        'Started "Production at silver": 12 of 40 services are there; the owners of the others are notified.',
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('progressbar', {
        name: 'Production at silver: 12 of 40 services there',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('114 days left')).toBeInTheDocument();
  });
});

describe('ScorecardCard', () => {
  it("shows the entity's level and each check with what was found, by level", async () => {
    await render(<ScorecardCard entityRef="component:default/payments-api" />, {
      getEntityScorecard: jest.fn().mockResolvedValue({
        entityRef: 'component:default/payments-api',
        day: '2026-12-07',
        evaluatedAt: '2026-12-07T06:00:00.000Z',
        level: 'bronze',
        score: 66.7,
        passed: 2,
        total: 3,
        checks: [
          {
            ...checks.items[0],
            passed: true,
            detail: 'owned by team-checkout, with TechDocs',
          },
          { ...checks.items[1], passed: true, detail: 'gate "default" passes' },
          {
            ...checks.items[2],
            passed: false,
            detail: '2 critical or high findings open',
          },
        ],
        history: [
          { day: '2026-12-06', level: 'bronze', score: 33.3 },
          { day: '2026-12-07', level: 'bronze', score: 66.7 },
        ],
      }),
      listCheckExemptions: jest.fn().mockResolvedValue({ items: [] }),
    });
    expect(await screen.findByLabelText('Level: Bronze')).toBeInTheDocument();
    expect(
      screen.getAllByRole('button', { name: 'Ask for an exemption' }),
    ).toHaveLength(1);
    expect(
      screen.getByText(
        '2 of 3 checks pass (score 66.7) · evaluated 2026-12-07 06:00 UTC',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('2 critical or high findings open'),
    ).toBeInTheDocument();
    expect(screen.getAllByTitle('Failed')).toHaveLength(1);
    expect(
      screen.getByText(/Score by day: 2026-12-06: 33.3, 2026-12-07: 66.7/),
    ).toBeInTheDocument();
  });

  it('lets the owners ask for an exemption from a failing check, and the security team decide it', async () => {
    const pending = {
      id: 'x1',
      checkId: 'no-open-high',
      entityRef: 'component:default/payments-api',
      justification: 'Upgrade blocked by the vendor until January',
      requestedBy: 'user:default/ben-okafor',
      requestedAt: '2026-12-07T08:00:00.000Z',
      expiresAt: '2027-01-06T23:59:59.000Z',
      status: 'pending' as const,
      active: false,
    };
    // The server's answers as they change: nothing, then pending, then approved.
    let state: 'none' | 'pending' | 'approved' = 'none';
    const listCheckExemptions = jest.fn().mockImplementation(async () => ({
      items:
        state === 'none'
          ? []
          : [{ ...pending, status: state, active: state === 'approved' }],
    }));
    const requestCheckExemption = jest.fn().mockImplementation(async () => {
      state = 'pending';
      return pending;
    });
    const decideCheckExemption = jest.fn().mockImplementation(async () => {
      state = 'approved';
      return { ...pending, status: 'approved', active: true };
    });
    await render(<ScorecardCard entityRef="component:default/payments-api" />, {
      getEntityScorecard: jest.fn().mockResolvedValue({
        entityRef: 'component:default/payments-api',
        day: '2026-12-07',
        evaluatedAt: '2026-12-07T06:00:00.000Z',
        level: 'silver',
        score: 66.7,
        passed: 2,
        total: 3,
        checks: [
          { ...checks.items[0], passed: true, detail: 'ok' },
          { ...checks.items[1], passed: true, detail: 'ok' },
          { ...checks.items[2], passed: false, detail: '1 high open' },
        ],
        history: [],
      }),
      listCheckExemptions,
      requestCheckExemption,
      decideCheckExemption,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Ask for an exemption' }),
    );
    await userEvent.type(
      screen.getByLabelText(
        'Why exempt from "No open critical or high finding"',
      ),
      'Upgrade blocked by the vendor until January',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Ask the security team' }),
    );
    expect(requestCheckExemption).toHaveBeenCalledWith(
      'component:default/payments-api',
      {
        checkId: 'no-open-high',
        justification: 'Upgrade blocked by the vendor until January',
        expiresAt: expect.stringMatching(/T23:59:59.000Z$/),
      },
    );
    expect(
      await screen.findByText(/\(ben-okafor, pending\)/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(decideCheckExemption).toHaveBeenCalledWith('x1', {
      decision: 'approve',
    });
    expect(
      await screen.findByText(/\(ben-okafor, approved\)/),
    ).toBeInTheDocument();
  });

  it('says when the entity was not evaluated yet', async () => {
    await render(<ScorecardCard entityRef="component:default/new" />, {
      getEntityScorecard: jest.fn().mockResolvedValue({
        entityRef: 'component:default/new',
        checks: [],
        history: [],
      }),
    });
    expect(await screen.findByText(/Not evaluated yet/)).toBeInTheDocument();
  });
});
