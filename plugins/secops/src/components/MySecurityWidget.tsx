import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Chip, List, ListItem, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { secopsApiRef } from '../api/SecopsClient';

function Note({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {children}
    </Typography>
  );
}

const tab = (ref: string) => {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/security`;
};

/**
 * The home page's "Security": each of the signed-in person's teams with its
 * open critical and high findings and what is overdue, and the components
 * whose release gate fails, from one call (`GET /api/secops/me/summary`).
 */
export function MySecurityWidget() {
  const secopsApi = useApi(secopsApiRef);
  const summary = useAsync(() => secopsApi.getMySummary(), [secopsApi]);
  if (summary.loading) return <Progress />;
  if (summary.error) {
    return <Note>Security findings could not be read.</Note>;
  }
  const { teams, failingGates } = summary.value!;
  if (teams.length === 0 && failingGates.length === 0) {
    return <Note>No security findings for your teams.</Note>;
  }
  return (
    <List dense disablePadding>
      {failingGates.length > 0 && (
        <ListItem disableGutters>
          <Typography variant="body2" style={{ color: '#b91c1c' }}>
            Release gate failing:{' '}
            {failingGates.map((ref, i) => (
              <span key={ref}>
                {i > 0 && ', '}
                <Link to={tab(ref)} underline="always">
                  {parseEntityRef(ref).name}
                </Link>
              </span>
            ))}
          </Typography>
        </ListItem>
      )}
      {teams.map(team => {
        const { open, overdue } = team.totals;
        return (
          <ListItem key={team.groupRef} disableGutters>
            <Box display="flex" justifyContent="space-between" width="100%">
              <Link to={tab(team.groupRef)}>{team.title}</Link>
              <Box display="flex" style={{ gap: 6 }}>
                <Chip
                  size="small"
                  label={`${open.critical ?? 0} critical`}
                  style={
                    open.critical
                      ? { background: '#b91c1c', color: 'white' }
                      : undefined
                  }
                />
                <Chip size="small" label={`${open.high ?? 0} high`} />
                <Chip
                  size="small"
                  variant="outlined"
                  label={`${overdue} overdue`}
                />
              </Box>
            </Box>
          </ListItem>
        );
      })}
    </List>
  );
}
