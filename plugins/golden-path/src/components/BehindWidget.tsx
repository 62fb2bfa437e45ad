import useAsync from 'react-use/esm/useAsync';
import { Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Box, List, ListItem, Typography } from '@material-ui/core';
import { fleetUpgradeLink, goldenPathApiRef } from '../api';

const SHOWN = 5;
/** The most a bulk upgrade takes at once (the template's own limit). */
const UPGRADE_AT_ONCE = 100;

/**
 * The home page's golden-path widget: the services of the signed-in
 * person's teams that are behind the current version of their template,
 * and one link that upgrades them all.
 */
export function BehindWidget() {
  const api = useApi(goldenPathApiRef);
  const state = useAsync(
    () => api.fleet({ mine: true, behindOnly: true, limit: UPGRADE_AT_ONCE }),
    [api],
  );
  if (state.loading) return <Progress />;
  if (state.error) {
    return (
      <Typography variant="body2" color="error">
        The golden path's versions could not be read: {state.error.message}
      </Typography>
    );
  }
  const fleet = state.value!;
  if (!fleet.totalCount) {
    return (
      <Typography variant="body2" color="textSecondary">
        Your teams' services are on the current golden path. See the whole fleet
        on the <Link to="/golden-path">Golden path</Link> page.
      </Typography>
    );
  }
  return (
    <Box>
      <Typography variant="body2">
        {fleet.totalCount === 1
          ? '1 service of your teams is behind the golden path.'
          : `${fleet.totalCount} services of your teams are behind the golden path.`}
      </Typography>
      <List dense>
        {fleet.items.slice(0, SHOWN).map(s => (
          <ListItem key={s.entityRef} disableGutters>
            <Typography variant="body2">
              <EntityRefLink entityRef={s.entityRef} />: {s.template}{' '}
              {s.version}, current {s.current}
            </Typography>
          </ListItem>
        ))}
      </List>
      <Box display="flex" style={{ gap: 16 }}>
        <Link to={fleetUpgradeLink(fleet.items.map(s => s.entityRef))}>
          Upgrade{' '}
          {fleet.items.length === 1 ? 'it' : `all ${fleet.items.length}`}
        </Link>
        <Link to="/golden-path">See the fleet</Link>
      </Box>
    </Box>
  );
}
