import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ContentHeader,
  ErrorPanel,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  CostSeries,
  Recommendation,
  UnattributedSpend,
} from '@portal/plugin-finops-common';
import { finopsApiRef } from '../api/FinopsClient';
import {
  DataNotices,
  entityLink,
  formatMoney,
  isRefusal,
  useCursorPages,
  ShareBars,
  StackedMonths,
} from './costViews';

const REASONS: Record<UnattributedSpend['reason'], string> = {
  untagged: 'No cost-allocation tag',
  'not-an-entity-ref': 'Tag is not an entity ref',
  'unknown-entity': 'Tag names an entity the catalog does not have',
};

function UnattributedTable({ currency }: { currency: string }) {
  const api = useApi(finopsApiRef);
  const { page, cursor, onPageChange } = useCursorPages();
  const { value, loading, error } = useAsync(
    () => api.listUnattributed(30, { limit: 10, cursor }),
    [api, cursor],
  );
  if (error) {
    return (
      <ErrorPanel title="Could not load unattributed spend" error={error} />
    );
  }
  const columns: TableColumn<UnattributedSpend>[] = [
    { title: 'Service', field: 'service' },
    { title: 'Account', field: 'account' },
    {
      title: 'Tag value',
      field: 'tagValue',
      render: row => row.tagValue || '—',
    },
    { title: 'Why', render: row => REASONS[row.reason] },
    {
      title: 'Last 30 days',
      field: 'amount',
      render: row => formatMoney(row.amount, currency),
    },
  ];
  return (
    <Table<UnattributedSpend>
      title={`Unattributed spend: ${
        value ? formatMoney(value.total, currency) : '…'
      } in the last 30 days`}
      subtitle="Biggest first: fix these tags and the spend lands on its owner"
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

/** Reserved Instance and Savings Plans purchases the provider recommends. */
function RecommendationsTable() {
  const api = useApi(finopsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getRecommendations(),
    [api],
  );
  if (error) {
    return (
      <ErrorPanel title="Could not load the recommendations" error={error} />
    );
  }
  const columns: TableColumn<Recommendation>[] = [
    {
      title: 'Buy',
      field: 'description',
      render: row => (
        <>
          <Typography variant="body2">{row.description}</Typography>
          <Typography variant="caption" color="textSecondary">
            {row.kind === 'savings-plans'
              ? 'Savings Plan'
              : 'Reserved Instances'}{' '}
            · {row.service}
          </Typography>
        </>
      ),
    },
    {
      title: 'Term',
      render: row =>
        `${row.term.replace(/_/g, ' ').toLowerCase()}, ${row.paymentOption
          .replace(/_/g, ' ')
          .toLowerCase()}`,
    },
    {
      title: 'Upfront',
      render: row => formatMoney(row.upfrontCost, row.currency),
    },
    {
      title: 'Saves a month',
      render: row => (
        <strong>
          {formatMoney(row.estimatedMonthlySavings, row.currency)}
        </strong>
      ),
    },
  ];
  const total = (value?.items ?? []).reduce(
    (t, r) => t + r.estimatedMonthlySavings,
    0,
  );
  return (
    <Table<Recommendation>
      title="Purchase recommendations"
      subtitle={
        value && value.items.length > 0
          ? `Up to ${formatMoney(
              total,
              value.items[0].currency,
            )} a month on steady usage, from the provider's last 60 days`
          : 'From AWS Cost Explorer when it is configured (finops.aws); none yet'
      }
      isLoading={loading}
      columns={columns}
      data={value?.items ?? []}
      options={{
        paging: false,
        search: false,
        // Sortable headers nest buttons in header cells (axe:
        // nested-interactive); the provider's order is kept.
        sorting: false,
        padding: 'dense',
        emptyRowsWhenPaging: false,
      }}
    />
  );
}

/** The allocation rules and how they split shared spend. */
function AllocationsCard({ currency }: { currency: string }) {
  const api = useApi(finopsApiRef);
  const { value, error } = useAsync(() => api.getAllocations(30), [api]);
  if (error) {
    return <ErrorPanel title="Could not load the allocations" error={error} />;
  }
  return (
    <InfoCard
      title="Shared costs"
      subheader="How the allocation rules split shared spend in the last 30 days; it stays with its owner as direct cost"
    >
      {value && value.items.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No allocation rules. Add them under finops.allocation in the app
          config, to split a shared cluster or a support plan across teams.
        </Typography>
      )}
      <Grid container spacing={3}>
        {value?.items.map(rule => (
          <Grid item xs={12} md={6} key={rule.name}>
            <Typography variant="subtitle2">
              {rule.name}: {formatMoney(rule.amount, currency)}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {rule.matches}, split{' '}
              {rule.method === 'even'
                ? 'evenly'
                : 'in proportion to direct spend'}
            </Typography>
            <Box mt={1}>
              <ShareBars
                shares={rule.shares}
                currency={currency}
                linkOf={entityLink}
                showChange={false}
              />
            </Box>
          </Grid>
        ))}
      </Grid>
    </InfoCard>
  );
}

function ProductsTable({
  series,
  months,
  currency,
}: {
  series: CostSeries[];
  months: string[];
  currency: string;
}) {
  const last = months.length - 1;
  const columns: TableColumn<CostSeries>[] = [
    {
      title: 'Product (system)',
      field: 'title',
      render: row =>
        entityLink(row.ref) ? (
          <Link to={entityLink(row.ref)!}>{row.title ?? row.ref}</Link>
        ) : (
          row.title ?? row.ref
        ),
    },
    {
      title: months[last] ?? 'This month',
      render: row => formatMoney(row.amounts[last] ?? 0, currency),
    },
    {
      title: `${months.length} months`,
      render: row =>
        formatMoney(
          row.amounts.reduce((t, a) => t + a, 0),
          currency,
        ),
    },
  ];
  return (
    <Table<CostSeries>
      title="Products: this month and the last 12"
      columns={columns}
      data={series}
      // Biggest first already; sortable headers nest buttons in header
      // cells (axe: nested-interactive).
      options={{
        paging: false,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
    />
  );
}

/** The FinOps page for finance: the whole organisation. */
export function FinopsPage() {
  const api = useApi(finopsApiRef);
  const months = 12;
  const { value, loading, error } = useAsync(
    () => api.getOrganisationCost(months),
    [api],
  );
  const status = useAsync(() => api.getStatus(), [api]);

  const download = async () => {
    const url = URL.createObjectURL(await api.exportCsv(months));
    const a = document.createElement('a');
    a.href = url;
    a.download = `cost-by-month.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Page themeId="tool">
      <Header
        title="FinOps"
        subtitle="Cloud cost by department and product, from catalog ownership"
      />
      <Content>
        <ContentHeader title="The organisation">
          <Button
            variant="outlined"
            startIcon={<GetAppIcon />}
            onClick={download}
            disabled={!value}
          >
            Export CSV
          </Button>
        </ContentHeader>
        {loading && <Progress />}
        {error && isRefusal(error) && (
          <WarningPanel
            defaultExpanded
            title="The organisation's cost is for finance"
            message="You can see what your teams own on their Cost tabs: open your team in the catalog."
          />
        )}
        {error && !isRefusal(error) && (
          <ErrorPanel title="Could not load the cost" error={error} />
        )}
        {value && (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <DataNotices demo={value.demo} sources={status.value?.sources} />
            </Grid>
            <Grid item xs={12}>
              <InfoCard
                title="By department"
                subheader={`The last ${months} months, ${value.currency}`}
              >
                <StackedMonths
                  months={value.months}
                  series={[
                    ...value.byDepartment,
                    {
                      ref: 'unattributed',
                      title: 'Unattributed',
                      amounts: value.unattributed,
                    },
                  ]}
                  currency={value.currency}
                  label="Monthly cost by department"
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="By product" subheader="Monthly, by system">
                <StackedMonths
                  months={value.months}
                  series={value.byProduct.slice(0, 8)}
                  currency={value.currency}
                  label="Monthly cost by product"
                  width={420}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <ProductsTable
                series={value.byProduct}
                months={value.months}
                currency={value.currency}
              />
            </Grid>
            <Grid item xs={12}>
              <UnattributedTable currency={value.currency} />
            </Grid>
            <Grid item xs={12}>
              <AllocationsCard currency={value.currency} />
            </Grid>
            <Grid item xs={12}>
              <RecommendationsTable />
            </Grid>
            <Grid item xs={12}>
              <InfoCard title="Where the data comes from">
                {(status.value?.sources ?? []).length === 0 ? (
                  <Typography variant="body2" color="textSecondary">
                    No billing data yet. Import a FOCUS export (POST
                    /api/finops/imports/focus) or configure AWS Cost Explorer
                    (finops.aws).
                  </Typography>
                ) : (
                  (status.value?.sources ?? []).map(s => (
                    <Box key={s.source} mb={1}>
                      <Typography variant="body2">
                        <strong>{s.source}</strong>:{' '}
                        {s.lastSuccess
                          ? `last import ${s.lastSuccess.finishedAt.slice(
                              0,
                              16,
                            )}, ${s.lastSuccess.rowsRead.toLocaleString()} lines, ${
                              s.lastSuccess.from
                            } to ${s.lastSuccess.to}`
                          : 'never imported'}
                        {s.lastFailure
                          ? `; the newest run failed: ${s.lastFailure.error}`
                          : ''}
                      </Typography>
                    </Box>
                  ))
                )}
              </InfoCard>
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
}
