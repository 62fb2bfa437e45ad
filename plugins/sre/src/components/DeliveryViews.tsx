import { InfoCard } from '@backstage/core-components';
import { Box, Grid, Tooltip, Typography } from '@material-ui/core';
import { DeliveryMetrics, TeamDelivery } from '@portal/plugin-sre-common';

export function hours(h: number | null): string {
  if (h === null) return '–';
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

const NOT_CONFIGURED =
  'Delivery measures come from GitHub (deployments or releases, merged pull requests, incident issues): set sre.delivery and a GitHub token in integrations.github.';

function Measure({
  label,
  value,
  help,
}: {
  label: string;
  value: string;
  help: string;
}) {
  return (
    <Grid item xs={6} md={3}>
      <Tooltip title={help}>
        <Box>
          <Typography variant="caption" color="textSecondary">
            {label}
          </Typography>
          <Typography variant="h6">{value}</Typography>
        </Box>
      </Tooltip>
    </Grid>
  );
}

/** The four DORA measures, for an entity or a team. */
export function DeliveryCard({
  configured,
  metrics,
  subject,
}: {
  configured: boolean;
  metrics?: (DeliveryMetrics | TeamDelivery) & {
    periodDays?: number;
    lastError?: string;
    signal?: string;
  };
  subject: string;
}) {
  const measured =
    metrics && (!('computedAt' in metrics) || metrics.computedAt);
  return (
    <InfoCard
      title="Delivery (DORA)"
      subheader={
        metrics && 'periodDays' in metrics && metrics.periodDays
          ? `${subject}, last ${metrics.periodDays} days, deploys counted from GitHub ${metrics.signal}`
          : subject
      }
    >
      {!configured && (
        <Typography variant="body2" color="textSecondary">
          {NOT_CONFIGURED}
        </Typography>
      )}
      {configured && !measured && (
        <Typography variant="body2" color="textSecondary">
          Not measured yet: entities with a github.com/project-slug annotation
          are read every few hours.
        </Typography>
      )}
      {configured && measured && metrics && (
        <Grid container spacing={2}>
          <Measure
            label="Deployment frequency"
            value={`${metrics.deploymentsPerDay.toFixed(2)} / day`}
            help={`${metrics.deployments} successful deploys`}
          />
          <Measure
            label="Lead time for changes"
            value={hours(metrics.leadTimeHours)}
            help="Median time from a pull request being opened to its deploy"
          />
          <Measure
            label="Change failure rate"
            value={
              metrics.changeFailureRate === null
                ? '–'
                : `${Math.round(metrics.changeFailureRate * 100)}%`
            }
            help="Failed deploys and incidents over all deploys"
          />
          <Measure
            label="Time to restore"
            value={hours(metrics.timeToRestoreHours)}
            help="Median time an incident issue stayed open"
          />
        </Grid>
      )}
      {metrics?.lastError && (
        <Typography variant="body2" style={{ color: '#b91c1c' }}>
          The last reading failed: {metrics.lastError}
        </Typography>
      )}
    </InfoCard>
  );
}
