import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { SecopsApi, secopsApiRef } from '../api/SecopsClient';
import { MySecurityWidget } from './MySecurityWidget';

const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

function render(getMySummary: SecopsApi['getMySummary']) {
  return renderInTestApp(<MySecurityWidget />, {
    apis: [[secopsApiRef, { getMySummary } as SecopsApi]],
  });
}

describe('MySecurityWidget (home page)', () => {
  it("shows each team's open findings and overdue, and the failing gates, from one call", async () => {
    const getMySummary = jest.fn().mockResolvedValue({
      teams: [
        {
          groupRef: 'group:default/team-checkout',
          title: 'Checkout',
          totals: {
            open: { ...zero, critical: 2, high: 5 },
            overdue: 3,
            scanned: 4,
          },
          hidden: 0,
        },
      ],
      failingGates: ['component:default/payments-api'],
    });
    await render(getMySummary);
    expect(
      await screen.findByText('2 critical', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByText('5 high')).toBeInTheDocument();
    expect(screen.getByText('3 overdue')).toBeInTheDocument();
    expect(screen.getByText(/Release gate failing/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'payments-api' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/security',
    );
    expect(screen.getByRole('link', { name: 'Checkout' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-checkout/security',
    );
    expect(getMySummary).toHaveBeenCalledTimes(1);
  });

  it('says so when the teams have no findings', async () => {
    await render(jest.fn().mockResolvedValue({ teams: [], failingGates: [] }));
    expect(
      await screen.findByText('No security findings for your teams.'),
    ).toBeInTheDocument();
  });

  it('says so when SecOps cannot be read, instead of failing', async () => {
    await render(jest.fn().mockRejectedValue(new Error('403 Forbidden')));
    expect(
      await screen.findByText('Security findings could not be read.'),
    ).toBeInTheDocument();
  });
});
