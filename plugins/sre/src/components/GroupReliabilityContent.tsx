import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import { Slo } from '@portal/plugin-sre-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { sreApiRef } from '../api';
import { DeliveryCard } from './DeliveryViews';
import {
  AlertList,
  BudgetBar,
  entityLink,
  percent,
  rate,
  SourceNotice,
  StatusChip,
} from './sloViews';

const columns: TableColumn<Slo>[] = [
  {
    title: 'Service',
    render: s => (
      <Link to={`${entityLink(s.entityRef)}/reliability`}>
        {parseEntityRef(s.entityRef).name}
      </Link>
    ),
  },
  { title: 'SLO', field: 'displayName' },
  { title: 'Status', render: s => <StatusChip status={s.status} /> },
  { title: 'Objective', render: s => `${percent(s.target)} / ${s.window}` },
  { title: 'SLI', render: s => percent(s.sli, 3) },
  {
    title: 'Budget',
    render: s => <BudgetBar remaining={s.errorBudgetRemaining} />,
  },
  { title: 'Burn 1h', render: s => rate(s.burnRates['1h']) },
  { title: 'Burn 6h', render: s => rate(s.burnRates['6h']) },
];

/** The Reliability tab of a group: every SLO below it, worst first. */
export function GroupReliabilityContent() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const api = useApi(sreApiRef);
  const [cursor, setCursor] = useState<string | undefined>();
  const [pages, setPages] = useState<string[]>([]);
  const data = useAsync(
    async () =>
      Promise.all([
        api.status(),
        api.groupSlos(ref, cursor),
        api.groupAlerts(ref),
        api.groupDelivery(ref),
      ]),
    [ref, cursor],
  );
  if (data.loading) return <Progress />;
  if (data.error) return <ResponseErrorPanel error={data.error} />;
  const [status, slos, alerts, delivery] = data.value!;
  const exhausted = [
    ...new Set(
      slos.items.filter(s => s.status === 'exhausted').map(s => s.entityRef),
    ),
  ];
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SourceNotice status={status} problems={[]} />
      </Grid>
      <Grid item xs={12}>
        <DeliveryCard
          configured={delivery.configured}
          metrics={delivery.team.entities ? delivery.team : undefined}
          subject={`${delivery.team.entities} services measured`}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard
          title="Hardening candidates"
          subheader="Services whose error budget is spent"
        >
          {exhausted.length ? (
            <Box component="ul" m={0} pl={2}>
              {exhausted.map(r => (
                <li key={r}>
                  <Link to={`${entityLink(r)}/reliability`}>
                    {parseEntityRef(r).name}
                  </Link>
                </li>
              ))}
            </Box>
          ) : (
            <Typography variant="body2" color="textSecondary">
              None on this page: every service has budget left.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard
          title="Alerts"
          subheader={`${alerts.totalCount} on what the group owns, newest first`}
        >
          <AlertList alerts={alerts.items} showEntity />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Table<Slo>
          title={`SLOs, worst first (${slos.totalCount} across ${
            slos.entityCount ?? 0
          } entities)`}
          // Worst first, by the server, a page at a time: sorting one page
          // in the browser would mislead (and its header buttons nest
          // interactive controls).
          options={{
            paging: false,
            search: false,
            sorting: false,
            padding: 'dense',
          }}
          columns={columns}
          data={slos.items}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2">
                Nothing this group owns declares SLOs yet: add an OpenSLO file
                and the acme.example/openslo annotation (the golden path does
                both).
              </Typography>
            </Box>
          }
        />
        <Box display="flex" justifyContent="flex-end" style={{ gap: 8 }} mt={1}>
          <Button
            disabled={!pages.length}
            onClick={() => {
              const previous = [...pages];
              setCursor(previous.pop() || undefined);
              setPages(previous);
            }}
          >
            Previous
          </Button>
          <Button
            disabled={!slos.nextCursor}
            onClick={() => {
              setPages([...pages, cursor ?? '']);
              setCursor(slos.nextCursor);
            }}
          >
            Next
          </Button>
        </Box>
      </Grid>
    </Grid>
  );
}
