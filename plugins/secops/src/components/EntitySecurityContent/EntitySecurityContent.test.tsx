import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Finding, FindingSummary } from '@portal/plugin-secops-common';
import { act } from 'react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { EntitySecurityContent } from './EntitySecurityContent';
import { sourceUrl } from './FindingRow';

// Built so that linters do not take the test data for a script URL.
const scheme = ['java', 'script'].join('');

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'acme-commerce/payments-api' },
  },
  spec: { owner: 'team-checkout' },
};

const summary: FindingSummary = {
  entityRef: 'component:default/payments-api',
  open: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
  byCategory: { sca: 2, secret: 1 },
  overdue: 1,
  knownExploited: 1,
  fixed: 4,
  lastScanAt: '2026-11-20T10:00:00.000Z',
};

function finding(overrides: Partial<Finding>): Finding {
  return {
    id: '1',
    entityRef: 'component:default/payments-api',
    tool: 'trivy',
    fingerprint: 'f1',
    category: 'sca',
    severity: 'critical',
    ruleId: 'CVE-2021-44228',
    title: 'log4j-core: remote code execution',
    aliases: ['GHSA-jfh8-c2jp-5v3q'],
    packageName: 'log4j-core',
    packageVersion: '2.14.1',
    fixedVersion: '2.15.0',
    status: 'open',
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    lastSeenAt: '2026-11-20T00:00:00.000Z',
    dueAt: '2026-11-08T00:00:00.000Z',
    overdue: true,
    knownExploited: false,
    ...overrides,
  };
}

const gateStatus = {
  current: {
    entityRef: 'component:default/payments-api',
    gate: 'default',
    passed: false,
    evaluatedAt: '2026-11-20T10:00:00.000Z',
    reasons: [
      {
        rule: { severity: 'critical' as const, maxOpen: 0 },
        count: 1,
        passed: false,
        message: 'Failed: no open critical or worse findings (found 1)',
        examples: [
          {
            id: '1',
            ruleId: 'CVE-2021-44228',
            title: 'log4j',
            severity: 'critical' as const,
          },
        ],
      },
    ],
  },
};

// The owning team, a team below it, and their members.
const person = (name: string, displayName: string, group: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { profile: { displayName }, memberOf: [group] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
});
const team = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-checkout', namespace: 'default' },
    spec: { type: 'team', children: ['checkout-mobile'] },
    relations: [
      { type: 'parentOf', targetRef: 'group:default/checkout-mobile' },
    ],
  },
  person('ben', 'Ben Okafor', 'team-checkout'),
  person('mo', 'Mo Ali', 'checkout-mobile'),
  person('emma', 'Emma Schulz', 'team-catalog'),
];

/** A signals API whose messages the test sends, by channel. */
function signalsByHand() {
  const listeners = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe: (channel, onMessage) => {
      listeners.set(channel, onMessage as (message: any) => void);
      return { unsubscribe: () => listeners.delete(channel) };
    },
  };
  return {
    api,
    send: (channel: string, message: object) =>
      listeners.get(channel)?.(message),
  };
}

function render(partial: Partial<SecopsApi>, signals = signalsByHand()) {
  const api: SecopsApi = {
    getSummary: jest.fn().mockResolvedValue(summary),
    listFindings: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    getGate: jest.fn().mockResolvedValue(gateStatus),
    listExemptions: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    requestExemption: jest.fn(),
    decideExemption: jest.fn(),
    getGroupPosture: jest.fn(),
    getTrend: jest.fn().mockResolvedValue({
      items: [
        { day: '2026-11-19', open: { ...summary.open, critical: 2 } },
        { day: '2026-11-20', open: summary.open },
      ],
    }),
    listTeams: jest.fn(),
    getMySummary: jest.fn(),
    topRisks: jest.fn(),
    findExposure: jest.fn(),
    getGatePolicies: jest.fn(),
    listGatePolicyVersions: jest.fn(),
    previewGatePolicies: jest.fn(),
    changeGatePolicies: jest.fn(),
    assignFindings: jest.fn(),
    openFindingTickets: jest.fn(),
    getEntityScorecard: jest.fn().mockResolvedValue({
      entityRef: 'component:default/payments-api',
      checks: [],
      history: [],
    }),
    getLeaderboard: jest.fn(),
    listScorecardChecks: jest.fn(),
    getGroupScorecard: jest.fn(),
    evaluateScorecards: jest.fn(),
    listComplianceFrameworks: jest.fn(),
    getComplianceStatus: jest.fn(),
    downloadComplianceEvidence: jest.fn(),
    listCampaigns: jest.fn(),
    getCampaign: jest.fn(),
    createCampaign: jest.fn(),
    listCheckExemptions: jest.fn().mockResolvedValue({ items: [] }),
    requestCheckExemption: jest.fn(),
    decideCheckExemption: jest.fn(),
    listOffPathExceptions: jest.fn(),
    requestOffPathException: jest.fn(),
    decideOffPathException: jest.fn(),
    ...partial,
  };
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <EntitySecurityContent />
    </EntityProvider>,
    {
      apis: [
        [secopsApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: team })],
        [signalApiRef, signals.api],
      ],
    },
  );
}

describe('sourceUrl', () => {
  it('links repository paths on GitHub, and nothing else', () => {
    const f = finding({ locationPath: 'src/a b.ts', locationLine: 3 });
    expect(sourceUrl(f, 'acme/app')).toBe(
      'https://github.com/acme/app/blob/HEAD/src/a%20b.ts#L3',
    );
    for (const locationPath of ['/etc/passwd', '../x', `${scheme}:x`]) {
      expect(sourceUrl(finding({ locationPath }), 'acme/app')).toBeUndefined();
    }
    expect(sourceUrl(f, undefined)).toBeUndefined();
    expect(sourceUrl(f, 'not a slug')).toBeUndefined();
  });
});

describe('EntitySecurityContent', () => {
  it('shows counts by severity and the findings, worst first', async () => {
    const api: Partial<SecopsApi> = {
      listFindings: jest.fn().mockResolvedValue({
        items: [
          finding({}),
          finding({
            id: '2',
            severity: 'high',
            category: 'secret',
            ruleId: 'aws-access-key',
            title: 'AWS access key in code',
            packageName: undefined,
            locationPath: 'src/config.py',
            locationLine: 12,
            overdue: false,
          }),
        ],
        totalCount: 2,
      }),
    };
    await render(api);

    expect(await screen.findByText('3 open findings')).toBeInTheDocument();
    // The tile's name is what it shows, and what a screen reader hears.
    expect(
      screen.getByRole('button', { name: '1 critical open findings' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/1 overdue · 1 known exploited · 4 fixed so far/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('log4j-core: remote code execution'),
    ).toBeInTheDocument();
    expect(screen.getByText(/\(overdue\)/)).toBeInTheDocument();
    expect(screen.getByText('src/config.py:12').closest('a')).toHaveAttribute(
      'href',
      'https://github.com/acme-commerce/payments-api/blob/HEAD/src/config.py#L12',
    );
  });

  it('says who tested a pen-test finding, in which engagement, and what the retest found', async () => {
    const api: Partial<SecopsApi> = {
      listFindings: jest.fn().mockResolvedValue({
        items: [
          finding({
            category: 'pentest',
            tool: 'acme-pentest',
            ruleId: 'CWE-89',
            title: 'SQL injection in the search form',
            packageName: undefined,
            url: 'https://shop.example.com/search',
            pentest: {
              tester: 'Acme Offensive Security',
              engagement: '2026 Q4 external test',
              retestStatus: 'still-present',
            },
          }),
        ],
        totalCount: 1,
      }),
    };
    await render(api);
    expect(
      await screen.findByText(
        'Pen test by Acme Offensive Security (2026 Q4 external test): still present at the last retest',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/CWE-89 · Pen test · acme-pentest/),
    ).toBeInTheDocument();
  });

  it('reloads when the backend signals that the entity’s findings changed', async () => {
    const signals = signalsByHand();
    const getSummary = jest
      .fn()
      .mockResolvedValueOnce(summary)
      .mockResolvedValue({
        ...summary,
        open: { ...summary.open, critical: 3 },
      });
    const listFindings = jest
      .fn()
      .mockResolvedValue({ items: [finding({})], totalCount: 1 });
    await render({ getSummary, listFindings }, signals);
    expect(await screen.findByText('3 open findings')).toBeInTheDocument();
    const findingsReads = listFindings.mock.calls.length;
    // Another entity's change is not this page's.
    act(() =>
      signals.send('secops:entity:component:default/cart-service', {
        change: 'scan',
      }),
    );
    expect(getSummary).toHaveBeenCalledTimes(1);
    act(() =>
      signals.send('secops:entity:component:default/payments-api', {
        change: 'scan',
      }),
    );
    expect(await screen.findByText('5 open findings')).toBeInTheDocument();
    expect(getSummary).toHaveBeenCalledTimes(2);
    await waitFor(() =>
      expect(listFindings.mock.calls.length).toBeGreaterThan(findingsReads),
    );
  });

  it('assigns the selected findings to a member of the owning team', async () => {
    // A new answer each time, as from the server: the page reloads after.
    const listFindings = jest.fn().mockImplementation(async () => ({
      items: [
        finding({ assignee: 'user:default/ben' }),
        finding({ id: '2', title: 'AWS access key in code' }),
        finding({ id: '3', title: 'SQL injection' }),
      ],
      totalCount: 3,
    }));
    const assignFindings = jest.fn().mockResolvedValue({
      assignee: 'user:default/mo',
      changed: ['2', '3'],
      unchanged: [],
    });
    await render({ listFindings, assignFindings });

    // Who works on each finding, by name.
    expect(await screen.findByText('Ben Okafor')).toBeInTheDocument();
    expect(screen.getAllByText('Unassigned')).toHaveLength(2);
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select AWS access key in code' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select SQL injection' }),
    );
    expect(screen.getByText('2 selected')).toBeInTheDocument();
    // The people to choose from: the team's and its sub-team's members.
    await userEvent.click(screen.getByLabelText('Assign to'));
    const options = (await screen.findAllByRole('option')).map(
      o => o.textContent,
    );
    expect(options).toEqual(['Ben Okafor', 'Mo Ali']);
    await userEvent.click(screen.getByRole('option', { name: 'Mo Ali' }));
    await userEvent.click(screen.getByRole('button', { name: 'Assign' }));
    expect(assignFindings).toHaveBeenCalledWith(['2', '3'], 'user:default/mo');
    // The findings are read again, the selection is gone, the notice stays.
    expect(
      await screen.findByText(
        '2 findings assigned to Mo Ali, who is notified.',
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('2 selected')).toBeNull());
    expect(listFindings.mock.calls.length).toBeGreaterThan(1);
  });

  it('opens GitHub issues for the selected findings and shows each issue and its state', async () => {
    let ticketed = false;
    const listFindings = jest.fn().mockImplementation(async () => ({
      items: [
        finding({
          id: '2',
          title: 'AWS access key in code',
          ticket: ticketed
            ? {
                repository: 'acme-commerce/payments-api',
                number: 42,
                url: 'https://github.com/acme-commerce/payments-api/issues/42',
                title: '[security] aws-access-key',
                state: 'open',
                checkedAt: '2026-12-07T08:00:00.000Z',
              }
            : undefined,
        }),
        finding({
          id: '3',
          title: 'SQL injection',
          ticket: {
            repository: 'acme-commerce/payments-api',
            number: 17,
            url: 'https://github.com/acme-commerce/payments-api/issues/17',
            title: '[security] sql injection',
            state: 'closed',
            closedAt: '2026-12-01T10:00:00.000Z',
            checkedAt: '2026-12-07T08:00:00.000Z',
          },
        }),
      ],
      totalCount: 2,
    }));
    const openFindingTickets = jest.fn().mockImplementation(async () => {
      ticketed = true;
      return {
        tickets: [
          {
            ruleId: 'aws-access-key',
            findingIds: ['2'],
            created: true,
            ticket: {
              repository: 'acme-commerce/payments-api',
              number: 42,
              url: 'https://github.com/acme-commerce/payments-api/issues/42',
              title: '[security] aws-access-key',
              state: 'open',
              checkedAt: '2026-12-07T08:00:00.000Z',
            },
          },
        ],
      };
    });
    await render({ listFindings, openFindingTickets });
    // A closed issue does not fix the finding, and the page says so.
    expect(
      await screen.findByText(
        /closed on 2026-12-01: the finding stays open until a scan no longer reports it/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select AWS access key in code' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Open GitHub issue' }),
    );
    expect(openFindingTickets).toHaveBeenCalledWith(['2']);
    expect(
      await screen.findByText(
        'Opened 1 GitHub issue in acme-commerce/payments-api (#42).',
      ),
    ).toBeInTheDocument();
    expect(
      (
        await screen.findByRole('link', { name: /GitHub issue #42/ })
      ).getAttribute('href'),
    ).toBe('https://github.com/acme-commerce/payments-api/issues/42');
  });

  it('lists the findings assigned to nobody on the server', async () => {
    const listFindings = jest
      .fn()
      .mockResolvedValue({ items: [finding({})], totalCount: 1 });
    await render({ listFindings });
    await userEvent.click(await screen.findByLabelText('Assignee'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Unassigned' }),
    );
    await waitFor(() =>
      expect(listFindings).toHaveBeenLastCalledWith(
        'component:default/payments-api',
        expect.objectContaining({ assignee: 'none' }),
      ),
    );
  });

  it('filters by severity on the server when a tile is clicked', async () => {
    const listFindings = jest
      .fn()
      .mockResolvedValue({ items: [finding({})], totalCount: 1 });
    await render({
      getSummary: jest.fn().mockResolvedValue(summary),
      listFindings,
    });

    await userEvent.click(
      await screen.findByRole('button', { name: '1 critical open findings' }),
    );
    await waitFor(() =>
      expect(listFindings).toHaveBeenLastCalledWith(
        'component:default/payments-api',
        expect.objectContaining({ severity: ['critical'], status: 'open' }),
      ),
    );
  });

  it('flags known-exploited findings and shows EPSS, filtered and sorted on the server', async () => {
    const listFindings = jest.fn().mockResolvedValue({
      items: [
        finding({
          knownExploited: true,
          cveId: 'CVE-2021-44228',
          kev: {
            dateAdded: '2021-12-10',
            dueDate: '2021-12-24',
            knownRansomwareCampaignUse: true,
            vulnerabilityName:
              'Apache Log4j2 Remote Code Execution Vulnerability',
          },
          epss: { score: 0.944, percentile: 0.99999 },
        }),
        finding({
          id: '2',
          ruleId: 'CVE-2019-1549',
          title: 'openssl: information disclosure in fork()',
          epss: { score: 0.06182, percentile: 0.9326 },
        }),
        finding({ id: '3', ruleId: 'semgrep.rule', title: 'No CVE here' }),
      ],
      totalCount: 3,
    });
    await render({ listFindings });

    const chip = await screen.findByLabelText(
      "Known exploited: in CISA's Known Exploited Vulnerabilities catalog since 2021-12-10, used in ransomware campaigns",
    );
    expect(chip).toHaveTextContent('Known exploited');
    expect(screen.getAllByText('Known exploited')).toHaveLength(1);
    expect(screen.getByText('top 0.1%')).toBeInTheDocument();
    expect(screen.getByText('93rd percentile')).toBeInTheDocument();
    expect(screen.getByText('EPSS')).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Exploitation'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Known exploited only' }),
    );
    await waitFor(() =>
      expect(listFindings).toHaveBeenLastCalledWith(
        'component:default/payments-api',
        expect.objectContaining({ knownExploited: true, sort: 'severity' }),
      ),
    );
    await userEvent.click(screen.getByLabelText('Order'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Highest EPSS first' }),
    );
    await waitFor(() =>
      expect(listFindings).toHaveBeenLastCalledWith(
        'component:default/payments-api',
        expect.objectContaining({
          knownExploited: true,
          sort: 'epss',
          cursor: undefined,
        }),
      ),
    );
  });

  it('never renders a link that is not http(s)', async () => {
    const api: Partial<SecopsApi> = {
      listFindings: jest.fn().mockResolvedValue({
        items: [
          finding({
            category: 'dast',
            url: `${scheme}:alert(1)`,
            helpUrl: `${scheme}:alert(2)`,
            packageName: undefined,
          }),
        ],
        totalCount: 1,
      }),
    };
    await render(api);
    await screen.findByText('log4j-core: remote code execution');
    expect(document.querySelector('a[href^="javascript"]')).toBeNull();
  });

  it('draws the trend of open findings', async () => {
    await render({});
    expect(
      await screen.findByLabelText('Open findings over 2 days, 3 today'),
    ).toBeInTheDocument();
  });

  it('shows the gate with the rule that fails', async () => {
    await render({});
    expect(await screen.findByText('failing')).toBeInTheDocument();
    expect(
      screen.getByText('Failed: no open critical or worse findings (found 1)'),
    ).toBeInTheDocument();
    expect(screen.getByText(/no CI check yet/)).toBeInTheDocument();
  });

  it('lets an owner ask for an exemption from a finding', async () => {
    const requestExemption = jest.fn().mockResolvedValue({});
    await render({
      listFindings: jest
        .fn()
        .mockResolvedValue({ items: [finding({})], totalCount: 1 }),
      requestExemption,
    });
    await userEvent.click(await screen.findByLabelText('Show details'));
    await userEvent.click(screen.getByText('Ask for an exemption'));
    await userEvent.click(
      screen.getByLabelText('Why is this risk acceptable for now?'),
    );
    await userEvent.paste('Not reachable from the internet.');
    await userEvent.click(screen.getByText('Ask security for an exemption'));
    await waitFor(() =>
      expect(requestExemption).toHaveBeenCalledWith('1', {
        justification: 'Not reachable from the internet.',
        expiresAt: expect.stringMatching(/T23:59:59/),
      }),
    );
  });

  it('says who may see the findings when the viewer may not', async () => {
    const forbidden = Object.assign(new Error('Forbidden'), {
      statusCode: 403,
    });
    await render({
      getSummary: jest.fn().mockRejectedValue(forbidden),
      listFindings: jest.fn().mockRejectedValue(forbidden),
    });
    expect(
      await screen.findByText('Security findings are private to their owners'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/visible to its owners \(team-checkout\)/),
    ).toBeInTheDocument();
  });

  it('warns when an internet-facing service has no recent DAST scan, scanned or not', async () => {
    const exposure = {
      internetFacing: true,
      reasons: ['annotation portal.io/internet-facing'],
      dastMaxAgeDays: 30,
      dastMissing: true,
    };
    await render({
      getSummary: jest.fn().mockResolvedValue({
        ...summary,
        exposure: { ...exposure, lastDastScanAt: '2026-09-01T00:00:00.000Z' },
      }),
      listFindings: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    });
    expect(
      await screen.findByText(
        /Internet-facing without a DAST scan in the last 30 days/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /last DAST scan was on 2026-09-01.*annotation portal.io\/internet-facing/,
      ),
    ).toBeInTheDocument();
  });

  it('warns of a missing DAST scan on a service never scanned', async () => {
    await render({
      getSummary: jest.fn().mockResolvedValue({
        ...summary,
        lastScanAt: undefined,
        exposure: {
          internetFacing: true,
          reasons: ['annotation portal.io/internet-facing'],
          dastMaxAgeDays: 30,
          dastMissing: true,
        },
      }),
      listFindings: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    });
    expect(
      await screen.findByText(
        /Internet-facing without a DAST scan in the last 30 days/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/never had a DAST scan/)).toBeInTheDocument();
    expect(screen.getByText('No security scans yet')).toBeInTheDocument();
  });

  it('says how to get data in when nothing was scanned yet', async () => {
    await render({
      getSummary: jest.fn().mockResolvedValue({
        ...summary,
        open: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
        byCategory: {},
        lastScanAt: undefined,
      }),
      listFindings: jest.fn().mockResolvedValue({ items: [], totalCount: 0 }),
    });
    expect(
      await screen.findByText('No security scans yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/POST it to \/api\/secops\/reports/),
    ).toBeInTheDocument();
  });
});
