import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, List, ListItem, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { finopsApiRef } from '../api/FinopsClient';

function Note({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {children}
    </Typography>
  );
}

const money = (n: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  }).format(n);

/**
 * The home page's "Cloud cost": each of the signed-in person's teams, the
 * last 30 days against the 30 before, the month's budget forecast and the
 * latest alerts, from one call (`GET /api/finops/me/summary`).
 */
export function MyCostWidget() {
  const finopsApi = useApi(finopsApiRef);
  const summary = useAsync(() => finopsApi.getMySummary(), [finopsApi]);
  if (summary.loading) return <Progress />;
  if (summary.error) return <Note>Cloud cost could not be read.</Note>;
  const teams = summary.value!.items;
  if (teams.length === 0) {
    return <Note>No cloud cost is attributed to your teams.</Note>;
  }
  return (
    <List dense disablePadding>
      {teams.map(team => {
        const { namespace, name } = parseEntityRef(team.groupRef);
        const change =
          team.previousTotal > 0
            ? Math.round(
                ((team.total - team.previousTotal) / team.previousTotal) * 100,
              )
            : undefined;
        return (
          <ListItem key={team.groupRef} disableGutters>
            <Box width="100%">
              <Box display="flex" justifyContent="space-between">
                <Link to={`/catalog/${namespace}/group/${name}/cost`}>
                  {team.title}
                </Link>
                <Typography variant="body2">
                  {money(team.total, team.currency)} in 30 days
                  {change !== undefined &&
                    ` (${change > 0 ? '+' : ''}${change}%)`}
                </Typography>
              </Box>
              {team.budget && (
                <Typography
                  variant="caption"
                  style={{
                    color:
                      team.budget.forecast > team.budget.budget
                        ? '#b91c1c'
                        : '#15803d',
                  }}
                >
                  {team.budget.month}: forecast{' '}
                  {money(team.budget.forecast, team.currency)} of a{' '}
                  {money(team.budget.budget, team.currency)} budget
                </Typography>
              )}
              {team.alerts.map(alert => (
                <Typography
                  key={alert.id}
                  variant="caption"
                  display="block"
                  style={{ color: '#b91c1c' }}
                >
                  {alert.message}
                </Typography>
              ))}
            </Box>
          </ListItem>
        );
      })}
    </List>
  );
}
