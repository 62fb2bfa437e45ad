import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { GroupPosture } from '@portal/plugin-secops-common';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { GroupSecurityContent } from './GroupSecurityContent';

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'engineering', namespace: 'default', title: 'Engineering' },
  spec: { type: 'department', children: [] },
};

const zero = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

function row(
  name: string,
  open: Partial<typeof zero>,
  overdue = 0,
  knownExploited = 0,
) {
  return {
    entityRef: `component:default/${name}`,
    title: name,
    kind: 'Component',
    owner: 'group:default/team-checkout',
    open: { ...zero, ...open },
    overdue,
    knownExploited,
    lastScanAt: '2026-11-20T10:00:00.000Z',
  };
}

function render(getGroupPosture: SecopsApi['getGroupPosture']) {
  return renderInTestApp(
    <EntityProvider entity={group}>
      <GroupSecurityContent />
    </EntityProvider>,
    {
      apis: [
        [
          secopsApiRef,
          {
            getGroupPosture,
            getTrend: jest.fn().mockResolvedValue({ items: [] }),
          } as unknown as SecopsApi,
        ],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('GroupSecurityContent', () => {
  it('rolls up the group’s entities worst first, with a bar each', async () => {
    const posture: GroupPosture = {
      groupRef: 'group:default/engineering',
      totals: {
        open: { ...zero, critical: 1, high: 3 },
        overdue: 2,
        knownExploited: 1,
        scanned: 2,
      },
      items: [
        row('payments-api', { critical: 1, high: 1 }, 2, 1),
        row('cart-service', { high: 2 }),
        { ...row('ui-kit', {}), lastScanAt: undefined },
      ],
      totalCount: 3,
      hidden: 0,
    };
    const getGroupPosture = jest.fn().mockResolvedValue(posture);
    await render(getGroupPosture);

    expect(await screen.findByText('Security posture')).toBeInTheDocument();
    expect(screen.getByText('open critical')).toBeInTheDocument();
    expect(
      screen.getByLabelText('2 open findings of payments-api'),
    ).toBeInTheDocument();
    expect(screen.getByText('never scanned')).toBeInTheDocument();
    expect(screen.getByText('known exploited')).toBeInTheDocument();
    expect(
      screen.getByRole('columnheader', { name: 'Known exploited' }),
    ).toBeInTheDocument();
    expect(getGroupPosture).toHaveBeenCalledWith('group:default/engineering', {
      limit: 25,
      offset: 0,
    });
  });

  it('counts and marks internet-facing entities without a recent DAST scan', async () => {
    const exposed = {
      ...row('storefront', {}),
      exposure: {
        internetFacing: true,
        reasons: ['Ingress shop/storefront in prod-eu (shop.example.com)'],
        dastMaxAgeDays: 30,
        dastMissing: true,
      },
    };
    await render(
      jest.fn().mockResolvedValue({
        groupRef: 'group:default/engineering',
        totals: {
          open: zero,
          overdue: 0,
          knownExploited: 0,
          scanned: 2,
          dastMissing: 1,
        },
        items: [exposed, row('cart-service', {})],
        totalCount: 2,
        hidden: 0,
      }),
    );
    expect(
      await screen.findByText('internet-facing without DAST'),
    ).toBeInTheDocument();
    const marks = screen.getAllByText(/internet-facing, no DAST in 30 days/);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toHaveAttribute(
      'title',
      'Internet-facing: Ingress shop/storefront in prod-eu (shop.example.com)',
    );
  });

  it('pages on the server', async () => {
    const getGroupPosture = jest.fn().mockResolvedValue({
      groupRef: 'group:default/engineering',
      totals: { open: zero, overdue: 0, knownExploited: 0, scanned: 0 },
      items: [row('a', {})],
      totalCount: 60,
      hidden: 0,
    });
    await render(getGroupPosture);
    await userEvent.click(await screen.findByText('Next'));
    expect(getGroupPosture).toHaveBeenLastCalledWith(
      'group:default/engineering',
      {
        limit: 25,
        offset: 25,
      },
    );
  });

  it('says when the findings are private to the group', async () => {
    await render(
      jest.fn().mockResolvedValue({
        groupRef: 'group:default/engineering',
        totals: { open: zero, overdue: 0, knownExploited: 0, scanned: 0 },
        items: [],
        totalCount: 0,
        hidden: 12,
      }),
    );
    expect(
      await screen.findByText('The findings of this group are private to it'),
    ).toBeInTheDocument();
  });
});
