import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { OffPathException } from '@portal/plugin-secops-common';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { OffPathPage } from './OffPathPage';

const DAY = 86_400_000;
const exception = (over: Partial<OffPathException>): OffPathException => ({
  id: 'e1',
  entityRef: 'component:default/payments-api',
  owner: 'group:default/team-checkout',
  namespace: 'ml-lab',
  workload: 'gpu-notebook',
  reason: 'The GPU driver needs a privileged init container',
  requestedBy: 'user:default/ben',
  requestedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 10 * DAY + 3600_000).toISOString(),
  status: 'pending',
  state: 'pending',
  ...over,
});

function render(api: Partial<SecopsApi>) {
  return renderInTestApp(<OffPathPage />, {
    apis: [[secopsApiRef, api as SecopsApi]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

describe('OffPathPage', () => {
  it('lists the exceptions with owner, reason and end, and lets the security team decide', async () => {
    const listOffPathExceptions = jest
      .fn()
      .mockResolvedValueOnce({ items: [exception({})], totalCount: 1 })
      .mockResolvedValue({
        items: [
          exception({
            status: 'approved',
            state: 'active',
            decidedBy: 'user:default/jonas-berg',
          }),
        ],
        totalCount: 1,
      });
    const decideOffPathException = jest.fn().mockResolvedValue({});
    await render({ listOffPathExceptions, decideOffPathException });

    expect(await screen.findByText('gpu-notebook')).toBeInTheDocument();
    expect(screen.getByText('namespace ml-lab')).toBeInTheDocument();
    expect(screen.getByText('team-checkout')).toBeInTheDocument();
    expect(
      screen.getByText('The GPU driver needs a privileged init container'),
    ).toBeInTheDocument();
    expect(screen.getByText(/\(in 11 days\)/)).toBeInTheDocument();
    expect(screen.getByText('Waiting for security')).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Approve ml-lab/gpu-notebook' }),
    );
    expect(decideOffPathException).toHaveBeenCalledWith('e1', {
      decision: 'approve',
    });
    expect(await screen.findByText('Active')).toBeInTheDocument();
    expect(screen.getByText('approved by jonas-berg')).toBeInTheDocument();
  });

  it('says what to do when nothing is off the path, and shows why a request was refused', async () => {
    const requestOffPathException = jest.fn().mockRejectedValue(
      await ResponseError.fromResponse({
        ok: false,
        status: 400,
        statusText: 'Bad Request',
        headers: new Headers({ 'content-type': 'application/json' }),
        text: async () =>
          JSON.stringify({
            error: {
              name: 'InputError',
              message:
                'namespace must be a Kubernetes namespace name (lower case letters, digits and -)',
            },
          }),
      } as Response),
    );
    await render({
      listOffPathExceptions: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
      requestOffPathException,
    });
    expect(
      await screen.findByText('Every workload is on the golden path'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Ask for an exception' }),
    );
    await userEvent.type(
      screen.getByLabelText('Catalog entity'),
      'component:default/payments-api',
    );
    await userEvent.type(screen.getByLabelText('Kubernetes namespace'), 'ML');
    await userEvent.type(screen.getByLabelText('Workload name'), 'notebook');
    await userEvent.type(
      screen.getByLabelText('Why must it leave the golden path?'),
      'A GPU experiment',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Ask security' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(
        /namespace must be a Kubernetes namespace name/,
      ),
    );
    expect(requestOffPathException).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        namespace: 'ML',
        workload: 'notebook',
        reason: 'A GPU experiment',
      }),
    );
  });
});
