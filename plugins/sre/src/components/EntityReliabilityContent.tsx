import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Grid, Typography } from '@material-ui/core';
import { Slo } from '@portal/plugin-sre-common';
import useAsync from 'react-use/esm/useAsync';
import { sreApiRef } from '../api';
import { DeliveryCard } from './DeliveryViews';
import { ObservabilityCard } from './ObservabilityCard';
import {
  AlertList,
  BudgetBar,
  BudgetChart,
  BurnRates,
  percent,
  SourceNotice,
  StatusChip,
} from './sloViews';

function SloCard({ slo }: { slo: Slo }) {
  const api = useApi(sreApiRef);
  const history = useAsync(() => api.history(slo.id, 7), [slo.id]);
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <span>{slo.displayName}</span>
          <StatusChip status={slo.status} />
        </Box>
      }
      subheader={`${
        slo.description ? `${slo.description} ` : ''
      }Objective ${percent(slo.target, 2)} over ${slo.window}.`}
    >
      <Grid container spacing={2}>
        <Grid item xs={12} md={4}>
          <Typography variant="caption" color="textSecondary">
            SLI over {slo.window}
          </Typography>
          <Typography variant="h5">{percent(slo.sli, 3)}</Typography>
        </Grid>
        <Grid item xs={12} md={8}>
          <Typography variant="caption" color="textSecondary">
            Error budget
          </Typography>
          <BudgetBar remaining={slo.errorBudgetRemaining} />
        </Grid>
        <Grid item xs={12}>
          <Typography variant="caption" color="textSecondary">
            Burn rate (1 = exactly on budget)
          </Typography>
          <BurnRates slo={slo} />
        </Grid>
        <Grid item xs={12}>
          <Typography variant="caption" color="textSecondary">
            Budget left, last 7 days
          </Typography>
          {history.loading && <Progress />}
          {history.value && <BudgetChart points={history.value.points} />}
        </Grid>
        {slo.lastError && (
          <Grid item xs={12}>
            <Typography variant="body2" style={{ color: '#b91c1c' }}>
              The last evaluation failed (
              {new Date(slo.lastErrorAt!).toLocaleString()}): {slo.lastError}.{' '}
              {slo.evaluatedAt
                ? `These are the values of ${new Date(
                    slo.evaluatedAt,
                  ).toLocaleString()}.`
                : 'There are no values yet.'}
            </Typography>
          </Grid>
        )}
      </Grid>
    </InfoCard>
  );
}

/** The Reliability tab of a component, resource or system. */
export function EntityReliabilityContent() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const api = useApi(sreApiRef);
  const data = useAsync(
    async () =>
      Promise.all([
        api.status(),
        api.entitySlos(ref),
        api.entityAlerts(ref),
        api.entityDelivery(ref),
      ]),
    [ref],
  );
  if (data.loading) return <Progress />;
  if (data.error) return <ResponseErrorPanel error={data.error} />;
  const [status, slos, alerts, delivery] = data.value!;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SourceNotice status={status} problems={slos.problems ?? []} />
      </Grid>
      {slos.items.length === 0 && !(slos.problems ?? []).length && (
        <Grid item xs={12}>
          <EmptyState
            missing="info"
            title="No SLOs declared yet"
            description="Write the service level objectives in OpenSLO v1 next to the code and point the acme.example/openslo annotation of catalog-info.yaml at the file (services made from the golden path have one). Ratio SLIs are Prometheus queries over {{window}}."
          />
        </Grid>
      )}
      {slos.items.map(slo => (
        <Grid item xs={12} lg={6} key={slo.id}>
          <SloCard slo={slo} />
        </Grid>
      ))}
      <Grid item xs={12}>
        <DeliveryCard
          configured={delivery.configured}
          metrics={delivery.metrics}
          subject={entity.metadata.name}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <ObservabilityCard />
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard
          title="Recent alerts"
          subheader={`${alerts.totalCount} from Alertmanager`}
        >
          <AlertList alerts={alerts.items} />
        </InfoCard>
      </Grid>
    </Grid>
  );
}
