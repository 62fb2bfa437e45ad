import { useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import {
  Exemption,
  secopsExemptionDecidePermission,
} from '@portal/plugin-secops-common';
import {
  Button,
  Chip,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';

function state(exemption: Exemption) {
  if (exemption.status === 'approved') {
    return exemption.active ? 'approved' : 'expired';
  }
  return exemption.status;
}

/** Exemptions of the entity; the security team approves or rejects here. */
export function ExemptionsCard(props: {
  exemptions: Exemption[];
  onChange: () => void;
}) {
  const api = useApi(secopsApiRef);
  const { allowed: canDecide } = usePermission({
    permission: secopsExemptionDecidePermission,
  });
  const [error, setError] = useState<string>();

  const decide = async (id: string, decision: 'approve' | 'reject') => {
    setError(undefined);
    try {
      await api.decideExemption(id, { decision });
      props.onChange();
    } catch (e) {
      setError(
        e instanceof ResponseError
          ? e.body.error.message
          : (e as Error).message,
      );
    }
  };

  return (
    <InfoCard
      title="Exemptions"
      subheader="Accepted risks, each until a date; the security team decides"
    >
      {error && <Typography style={{ color: '#b91c1c' }}>{error}</Typography>}
      {props.exemptions.length === 0 ? (
        <Typography color="textSecondary">
          No exemptions. Owners can ask for one from a finding's details.
        </Typography>
      ) : (
        <Table size="small" aria-label="Exemptions">
          <TableHead>
            <TableRow>
              <TableCell>State</TableCell>
              <TableCell>Justification</TableCell>
              <TableCell>Asked by</TableCell>
              <TableCell>Until</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {props.exemptions.map(exemption => (
              <TableRow key={exemption.id}>
                <TableCell>
                  <Chip size="small" label={state(exemption)} />
                </TableCell>
                <TableCell>{exemption.justification}</TableCell>
                <TableCell>
                  {exemption.requestedBy.replace(/^user:default\//, '')}
                </TableCell>
                <TableCell>{exemption.expiresAt.slice(0, 10)}</TableCell>
                <TableCell>
                  {exemption.status === 'pending' && canDecide && (
                    <>
                      <Button
                        size="small"
                        color="primary"
                        onClick={() => decide(exemption.id, 'approve')}
                      >
                        Approve
                      </Button>
                      <Button
                        size="small"
                        onClick={() => decide(exemption.id, 'reject')}
                      >
                        Reject
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
