import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Typography } from '@material-ui/core';
import DashboardIcon from '@material-ui/icons/Dashboard';
import NotesIcon from '@material-ui/icons/Notes';
import TimelineIcon from '@material-ui/icons/Timeline';
import useAsync from 'react-use/esm/useAsync';
import { sreApiRef } from '../api';

const KINDS = {
  dashboards: { label: 'Dashboards', icon: <DashboardIcon fontSize="small" /> },
  logs: { label: 'Logs', icon: <NotesIcon fontSize="small" /> },
  traces: { label: 'Traces', icon: <TimelineIcon fontSize="small" /> },
};

/** Where to look when something is wrong: dashboards, logs and traces. */
export function ObservabilityCard() {
  const { entity } = useEntity();
  const api = useApi(sreApiRef);
  const ref = stringifyEntityRef(entity);
  const state = useAsync(() => api.observability(ref), [ref]);
  return (
    <InfoCard title="Dashboards, logs and traces">
      {state.loading && <Progress />}
      {state.error && (
        <Typography variant="body2" style={{ color: '#b91c1c' }}>
          The links could not be loaded: {state.error.message}
        </Typography>
      )}
      {state.value && state.value.links.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No links yet: set URL templates in sre.observability (app-config), or
          the acme.example/dashboard-url, logs-url and traces-url annotations of
          this entity.
        </Typography>
      )}
      {state.value?.links.map(link => (
        <Box
          key={`${link.kind}-${link.url}`}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          py={0.5}
        >
          {KINDS[link.kind].icon}
          <Typography variant="body2" style={{ minWidth: 90 }}>
            {KINDS[link.kind].label}
          </Typography>
          <Link to={link.url}>{link.title}</Link>
        </Box>
      ))}
    </InfoCard>
  );
}
