import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Chip, List, ListItem, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { sreApiRef } from '../api';

const BURNING: Record<string, { label: string; color: string }> = {
  exhausted: { label: 'Budget exhausted', color: '#b71c1c' },
  'burning-fast': { label: 'Burning fast', color: '#bf360c' },
  burning: { label: 'Burning', color: '#a84300' },
};

function Note({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {children}
    </Typography>
  );
}

/**
 * The home page's "SLOs burning": the signed-in person's teams' SLOs that
 * burn their error budget too fast, worst first, from one call
 * (`GET /api/sre/me/summary`).
 */
export function MyReliabilityWidget() {
  const sreApi = useApi(sreApiRef);
  const summary = useAsync(() => sreApi.mySummary(), [sreApi]);
  if (summary.loading) return <Progress />;
  if (summary.error) {
    return <Note>Reliability data could not be read.</Note>;
  }
  const { totalCount, worst } = summary.value!;
  if (totalCount === 0) {
    return (
      <Note>
        Your teams declare no SLOs yet: add an OpenSLO file and the
        acme.example/openslo annotation (the golden path does both).
      </Note>
    );
  }
  const burning = worst.filter(slo => BURNING[slo.status]);
  if (burning.length === 0) {
    return <Note>All {totalCount} SLOs of your teams are within budget.</Note>;
  }
  return (
    <List dense disablePadding>
      {burning.map(slo => {
        const { kind, namespace, name } = parseEntityRef(slo.entityRef);
        return (
          <ListItem key={slo.id} disableGutters>
            <Box display="flex" justifyContent="space-between" width="100%">
              <Typography variant="body2">
                <Link
                  to={`/catalog/${namespace}/${kind.toLowerCase()}/${name}/reliability`}
                >
                  {name}
                </Link>{' '}
                {slo.displayName}
              </Typography>
              <Chip
                size="small"
                label={BURNING[slo.status].label}
                style={{
                  background: BURNING[slo.status].color,
                  color: 'white',
                }}
              />
            </Box>
          </ListItem>
        );
      })}
    </List>
  );
}
