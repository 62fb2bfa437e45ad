import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  ErrorPanel,
  InfoCard,
  Link,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Grid,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  BudgetStatus,
  CostShare,
  finopsManagePermission,
} from '@portal/plugin-finops-common';
import { finopsApiRef } from '../api/FinopsClient';
import {
  ChangeChip,
  CostBars,
  DataNotices,
  entityLink,
  formatMoney,
  isRefusal,
  useCursorPages,
  ShareBars,
} from './costViews';
import { CostHeadline, PeriodTabs } from './EntityCostContent';

/** Finance sets a group's monthly budget here. */
function BudgetForm({
  groupRef,
  current,
  onSaved,
}: {
  groupRef: string;
  current?: number;
  onSaved: () => void;
}) {
  const api = useApi(finopsApiRef);
  const { allowed } = usePermission({ permission: finopsManagePermission });
  const [amount, setAmount] = useState(current ? String(current) : '');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  if (!allowed) return null;
  const save = async () => {
    const value = Number(amount);
    if (!Number.isFinite(value) || value <= 0) {
      setError('Enter a monthly amount above 0');
      return;
    }
    setSaving(true);
    try {
      await api.setBudget(groupRef, value);
      setError(undefined);
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Box display="flex" alignItems="flex-start" style={{ gap: 8 }} mt={2}>
      <TextField
        id="finops-monthly-budget"
        label="Monthly budget"
        size="small"
        variant="outlined"
        type="number"
        value={amount}
        onChange={e => setAmount(e.target.value)}
        error={!!error}
        helperText={error}
        inputProps={{ min: 1 }}
      />
      <Button variant="outlined" onClick={save} disabled={saving}>
        {current ? 'Change' : 'Set'}
      </Button>
    </Box>
  );
}

function BudgetCard({
  groupRef,
  budget,
  currency,
  onSaved,
}: {
  groupRef: string;
  budget?: BudgetStatus;
  currency: string;
  onSaved: () => void;
}) {
  const form = (
    <BudgetForm
      groupRef={groupRef}
      current={budget?.budget}
      onSaved={onSaved}
    />
  );
  if (!budget) {
    return (
      <InfoCard title="Budget">
        <Typography variant="body2" color="textSecondary">
          No monthly budget is set for this group. Finance sets one here, and
          the group is alerted when its month-end forecast passes it.
        </Typography>
        {form}
      </InfoCard>
    );
  }
  const over = budget.forecast > budget.budget;
  return (
    <InfoCard title={`Budget for ${budget.month}`}>
      <Typography variant="body1">
        {formatMoney(budget.actual, currency)} spent of{' '}
        {formatMoney(budget.budget, currency)}
      </Typography>
      <Box my={1}>
        <LinearProgress
          variant="determinate"
          value={Math.min(100, (budget.actual / budget.budget) * 100)}
          aria-label="Spent of the budget"
        />
      </Box>
      <Typography
        variant="body2"
        style={{ color: over ? '#b91c1c' : '#15803d' }}
      >
        Month-end forecast {formatMoney(budget.forecast, currency)}
        {over ? ': over budget' : ': within budget'}
      </Typography>
      {form}
    </InfoCard>
  );
}

/** The group's entities, biggest first, page by page from the server. */
function EntitiesTable({
  groupRef,
  days,
  currency,
}: {
  groupRef: string;
  days: number;
  currency: string;
}) {
  const api = useApi(finopsApiRef);
  const { page, cursor, onPageChange } = useCursorPages();
  const { value, loading, error } = useAsync(
    () =>
      api.listGroupEntities(groupRef, days, {
        limit: 10,
        cursor,
      }),
    [api, groupRef, days, cursor],
  );
  if (error) {
    return <ErrorPanel title="Could not load the entities" error={error} />;
  }
  const columns: TableColumn<CostShare>[] = [
    {
      title: 'Entity',
      field: 'key',
      render: row => (
        <Link to={entityLink(row.key) ?? '#'}>{row.title ?? row.key}</Link>
      ),
    },
    {
      title: 'This period',
      field: 'amount',
      render: row => formatMoney(row.amount, currency),
    },
    {
      title: 'Previous period',
      field: 'previous',
      render: row => formatMoney(row.previous, currency),
    },
    {
      title: 'Change',
      render: row => <ChangeChip amount={row.amount} previous={row.previous} />,
    },
  ];
  return (
    <Table<CostShare>
      title="Components, resources and systems"
      isLoading={loading}
      columns={columns}
      data={value?.items ?? []}
      page={page}
      totalCount={value?.totalCount ?? 0}
      options={{
        paging: true,
        pageSize: 10,
        pageSizeOptions: [10],
        search: false,
        sorting: false,
        padding: 'dense',
        emptyRowsWhenPaging: false,
      }}
      onPageChange={next => onPageChange(next, value?.nextCursor)}
    />
  );
}

/** The Cost tab of groups: the manager's view of the group and below. */
export function GroupCostContent() {
  const { entity } = useEntity();
  const api = useApi(finopsApiRef);
  const ref = stringifyEntityRef(entity);
  const [days, setDays] = useState(30);
  const [version, setVersion] = useState(0);
  const { value, loading, error } = useAsync(
    () => api.getGroupCost(ref, days),
    [api, ref, days, version],
  );
  const status = useAsync(() => api.getStatus(), [api]);

  if (error && isRefusal(error)) {
    return (
      <WarningPanel
        defaultExpanded
        title="A group's cost is shown to its members, the groups above it, and finance"
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
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <DataNotices demo={value.demo} sources={status.value?.sources} />
            </Grid>
            <Grid item xs={12} md={8}>
              <InfoCard
                title="Spend of the group and everything below it"
                subheader="What its teams' components, resources and systems cost"
              >
                <CostHeadline cost={value} />
                {value.allocated > 0 && (
                  <Typography variant="body2" color="textSecondary">
                    Plus {formatMoney(value.allocated, value.currency)} of
                    shared costs allocated to it (below), not in this total.
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
            <Grid item xs={12} md={4}>
              <BudgetCard
                groupRef={ref}
                budget={value.budget}
                currency={value.currency}
                onSaved={() => setVersion(v => v + 1)}
              />
              <Box mt={3}>
                <InfoCard title="Alerts" subheader="The last 30 days">
                  {value.alerts.length === 0 ? (
                    <Typography variant="body2" color="textSecondary">
                      No unusual spend and no budget overrun.
                    </Typography>
                  ) : (
                    <List dense>
                      {value.alerts.map(alert => (
                        <ListItem key={alert.id} disableGutters>
                          <ListItemText
                            primary={alert.message}
                            secondary={`${
                              alert.kind === 'anomaly' ? 'Anomaly' : 'Budget'
                            } · ${alert.day}`}
                          />
                        </ListItem>
                      ))}
                    </List>
                  )}
                </InfoCard>
              </Box>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="By team" subheader="Sub-groups, rolled up">
                <ShareBars
                  shares={value.byChild}
                  currency={value.currency}
                  linkOf={key =>
                    key === ref.toLowerCase() ? undefined : entityLink(key)
                  }
                  empty="Nothing owned by this group or its sub-groups has cost in this period."
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard
                title="Top movers"
                subheader="Biggest change against the previous period"
              >
                <ShareBars
                  shares={value.topMovers}
                  currency={value.currency}
                  linkOf={entityLink}
                />
              </InfoCard>
            </Grid>
            {value.allocations.length > 0 && (
              <Grid item xs={12} md={6}>
                <InfoCard
                  title="Allocated shared costs"
                  subheader="Its share of shared spend, by allocation rule"
                >
                  <ShareBars
                    shares={value.allocations}
                    currency={value.currency}
                  />
                </InfoCard>
              </Grid>
            )}
            <Grid item xs={12} md={6}>
              <InfoCard title="By cloud service">
                <ShareBars shares={value.byService} currency={value.currency} />
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
            <Grid item xs={12}>
              <EntitiesTable
                groupRef={ref}
                days={days}
                currency={value.currency}
              />
            </Grid>
          </Grid>
        )}
      </Box>
    </Box>
  );
}
