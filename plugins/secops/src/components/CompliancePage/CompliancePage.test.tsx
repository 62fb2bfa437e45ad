import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { SecopsApi, secopsApiRef } from '../../api/SecopsClient';
import { CompliancePage } from './CompliancePage';

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

const frameworks = {
  items: [
    { id: 'hitrust', title: 'HITRUST CSF', version: 'v11', controls: 5 },
    {
      id: 'soc2',
      title: 'SOC 2 Trust Services Criteria',
      version: '2017',
      controls: 7,
    },
  ],
};

const status = (scope: string) => ({
  scope,
  framework: {
    id: 'soc2',
    title: 'SOC 2 Trust Services Criteria',
    version: '2017',
  },
  controls: [
    {
      id: 'CC6.1',
      title: 'Logical access security',
      description: 'Owners and docs.',
      checks: ['owner-and-docs'],
      day: '2026-12-07',
      entities: 30,
      passing: 24,
      rate: 80,
      history: [
        { day: '2026-12-06', rate: 70 },
        { day: '2026-12-07', rate: 80 },
      ],
    },
  ],
});

function render(api: Partial<SecopsApi>) {
  return renderInTestApp(<CompliancePage />, {
    apis: [
      [secopsApiRef, api as SecopsApi],
      [identityApiRef, identity as any],
    ],
  });
}

describe('CompliancePage', () => {
  it("shows each control's pass rate and its 30 days, and downloads the evidence", async () => {
    const getComplianceStatus = jest
      .fn()
      .mockResolvedValue(status('organisation'));
    const downloadComplianceEvidence = jest.fn().mockResolvedValue({
      blob: new Blob(['x']),
      fileName: 'soc2-evidence-2026-12-07.tar.gz',
    });
    (URL as any).createObjectURL = jest.fn(() => 'blob:x');
    (URL as any).revokeObjectURL = jest.fn();
    await render({
      listComplianceFrameworks: jest.fn().mockResolvedValue(frameworks),
      getComplianceStatus,
      downloadComplianceEvidence,
    });
    expect(await screen.findByText('80% (24 of 30)')).toBeInTheDocument();
    expect(getComplianceStatus).toHaveBeenCalledWith('soc2', {});
    expect(
      screen.getByRole('img', {
        name: 'CC6.1 pass rate by day, from 70% on 2026-12-06 to 80%',
      }),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Download evidence' }),
    );
    expect(downloadComplianceEvidence).toHaveBeenCalledWith('soc2');
    expect(
      await screen.findByText(/Downloaded soc2-evidence-2026-12-07.tar.gz/),
    ).toBeInTheDocument();
  });

  it('tells who is not in the security team to choose one of their teams, and shows it', async () => {
    const getComplianceStatus = jest
      .fn()
      .mockImplementation(async (_id, scope) => {
        if (!scope.groupRef) {
          throw await ResponseError.fromResponse({
            ok: false,
            status: 403,
            statusText: 'Forbidden',
            headers: new Headers({ 'content-type': 'application/json' }),
            text: async () =>
              JSON.stringify({
                error: {
                  name: 'NotAllowedError',
                  message: 'Only the security team may read',
                },
              }),
          } as Response);
        }
        return status(scope.groupRef);
      });
    await render({
      listComplianceFrameworks: jest.fn().mockResolvedValue(frameworks),
      getComplianceStatus,
    });
    expect(
      await screen.findByText(
        "The organisation's compliance is for the security team",
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Over'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'team-checkout' }),
    );
    expect(await screen.findByText('80% (24 of 30)')).toBeInTheDocument();
    expect(getComplianceStatus).toHaveBeenLastCalledWith('soc2', {
      groupRef: 'group:default/team-checkout',
    });
  });
});
