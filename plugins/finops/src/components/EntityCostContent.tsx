import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Grid, Tab, Tabs, Typography } from '@material-ui/core';
import { CostSummary } from '@portal/plugin-finops-common';
import { finopsApiRef } from '../api/FinopsClient';
import {
  ChangeChip,
  CostBars,
  DataNotices,
  formatMoney,
  isRefusal,
  ShareBars,
} from './costViews';

export const PERIODS = [30, 90, 365];

/** 30, 90 or 365 days, as tabs. */
export function PeriodTabs({
  days,
  onChange,
}: {
  days: number;
  onChange: (days: number) => void;
}) {
  return (
    <Tabs
      value={days}
      onChange={(_, value) => onChange(value)}
      indicatorColor="primary"
      aria-label="Period"
    >
      {PERIODS.map(d => (
        <Tab key={d} value={d} label={`${d} days`} />
      ))}
    </Tabs>
  );
}

/** Total, change and period of a summary, as the headline of a view. */
export function CostHeadline({ cost }: { cost: CostSummary }) {
  return (
    <Box
      display="flex"
      alignItems="baseline"
      style={{ gap: 12 }}
      flexWrap="wrap"
    >
      <Typography variant="h3" component="p">
        {formatMoney(cost.total, cost.currency)}
      </Typography>
      <ChangeChip amount={cost.total} previous={cost.previousTotal} />
      <Typography variant="body2" color="textSecondary">
        {cost.from} to {cost.to} · previous period{' '}
        {formatMoney(cost.previousTotal, cost.currency)}
      </Typography>
    </Box>
  );
}

/** The Cost tab of components, resources and systems. */
export function EntityCostContent() {
  const { entity } = useEntity();
  const api = useApi(finopsApiRef);
  const ref = stringifyEntityRef(entity);
  const [days, setDays] = useState(30);
  const { value, loading, error } = useAsync(
    () => api.getEntityCost(ref, days),
    [api, ref, days],
  );
  const status = useAsync(() => api.getStatus(), [api]);

  if (error && isRefusal(error)) {
    return (
      <WarningPanel
        defaultExpanded
        title="Cost is shown to the owners of this entity and to finance"
        message={error.message}
      />
    );
  }
  return (
    <Box>
      <PeriodTabs days={days} onChange={setDays} />
      <Box mt={2}>
        {loading && <Progress />}
        {error && <ErrorPanel title="Could not load the cost" error={error} />}
        {value && (
          <>
            <DataNotices demo={value.demo} sources={status.value?.sources} />
            {value.total === 0 && value.previousTotal === 0 ? (
              <EmptyState
                missing="data"
                title="No cloud spend is attributed to this entity"
                description={`Spend lands here when its cloud resources carry the cost-allocation tag with the value ${ref}. The golden-path templates stamp it; for older resources, add the tag and the next billing import picks it up.`}
              />
            ) : (
              <Grid container spacing={3}>
                <Grid item xs={12}>
                  <InfoCard title="Spend">
                    <CostHeadline cost={value} />
                    {value.estimatedFrom && (
                      <Typography variant="caption" color="textSecondary">
                        Lighter bars, from {value.estimatedFrom}, are estimated:
                        the provider may still change them.
                      </Typography>
                    )}
                    <CostBars
                      points={value.daily}
                      currency={value.currency}
                      estimatedFrom={value.estimatedFrom}
                      label={`Daily spend of ${ref}`}
                    />
                  </InfoCard>
                </Grid>
                <Grid item xs={12} md={6}>
                  <InfoCard
                    title="By cloud service"
                    subheader="This period, with the change against the previous one"
                  >
                    <ShareBars
                      shares={value.byService}
                      currency={value.currency}
                    />
                  </InfoCard>
                </Grid>
                <Grid item xs={12} md={6}>
                  <InfoCard
                    title="By month"
                    subheader="The last 13 months; the first and the current are partial"
                  >
                    <CostBars
                      points={value.monthly}
                      currency={value.currency}
                      label={`Monthly spend of ${ref}`}
                      width={420}
                    />
                  </InfoCard>
                </Grid>
              </Grid>
            )}
          </>
        )}
      </Box>
    </Box>
  );
}
