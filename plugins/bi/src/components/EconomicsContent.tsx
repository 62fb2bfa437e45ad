import useAsync from 'react-use/esm/useAsync';
import {
  ErrorPanel,
  InfoCard,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { Box, Chip, Grid, Typography } from '@material-ui/core';
import { MetricSeries, ProductEconomics } from '@portal/plugin-bi-common';
import { biApiRef } from '../api';

const money = (amount: number, currency: string, cents = false) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: cents ? 3 : 0,
  }).format(amount);

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 56, top: 12, bottom: 24 };

/** Monthly cost as bars, and a metric's unit cost as a line on its own scale. */
export function UnitCostChart({
  economics,
  metric,
}: {
  economics: ProductEconomics;
  metric?: MetricSeries;
}) {
  const { months, cost, currency } = economics;
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const step = w / Math.max(1, months.length);
  const maxCost = Math.max(1, ...cost);
  const unit = metric?.unitCost ?? [];
  const maxUnit = Math.max(0, ...unit.map(u => u ?? 0)) || 1;
  const x = (i: number) => PAD.left + i * step + step / 2;
  const points = unit
    .map((u, i) =>
      u === null ? null : `${x(i)},${PAD.top + h - (u / maxUnit) * h}`,
    )
    .filter(Boolean)
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      role="img"
      aria-label={`Monthly cloud cost${
        metric ? ` and cost per ${metric.unit}` : ''
      }`}
    >
      {[0, 0.5, 1].map(f => (
        <g key={f}>
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={PAD.top + h - f * h}
            y2={PAD.top + h - f * h}
            stroke="#e5e7eb"
          />
          <text
            x={PAD.left - 6}
            y={PAD.top + h - f * h + 4}
            fontSize={10}
            textAnchor="end"
            fill="#2563eb"
          >
            {money(maxCost * f, currency)}
          </text>
          {metric && (
            <text
              x={WIDTH - PAD.right + 6}
              y={PAD.top + h - f * h + 4}
              fontSize={10}
              fill="#d97706"
            >
              {money(maxUnit * f, currency, true)}
            </text>
          )}
        </g>
      ))}
      {cost.map((amount, i) => (
        <rect
          key={months[i]}
          x={PAD.left + i * step + step * 0.15}
          y={PAD.top + h - (amount / maxCost) * h}
          width={step * 0.7}
          height={(amount / maxCost) * h}
          fill="#93c5fd"
        >
          <title>{`${months[i]}: ${money(amount, currency)}`}</title>
        </rect>
      ))}
      {points && (
        <polyline
          points={points}
          fill="none"
          stroke="#d97706"
          strokeWidth={2.5}
        />
      )}
      {months.map((month, i) =>
        i % 2 === 0 ? (
          <text
            key={month}
            x={x(i)}
            y={HEIGHT - 6}
            fontSize={10}
            textAnchor="middle"
            fill="#6b7280"
          >
            {month}
          </text>
        ) : null,
      )}
    </svg>
  );
}

interface Row {
  month: string;
  cost: number;
  [metric: string]: number | string | null;
}

/** The Economics tab of systems and domains: cost beside business metrics. */
export function EconomicsContent() {
  const { entity } = useEntity();
  const api = useApi(biApiRef);
  const ref = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => api.getEconomics(ref),
    [api, ref],
  );
  if (loading) return <Progress />;
  if (error instanceof ResponseError && error.response.status === 403) {
    return (
      <WarningPanel
        defaultExpanded
        title="Product economics are for the business side, finance and the portal admins"
        message={error.message}
      />
    );
  }
  if (error) {
    return <ErrorPanel title="Could not load the economics" error={error} />;
  }
  if (!value) return null;
  const { currency } = value;
  const first = value.metrics[0];
  const last = value.months.length - 1;
  const rows: Row[] = value.months.map((month, i) => {
    const row: Row = { month, cost: value.cost[i] };
    for (const metric of value.metrics) {
      row[metric.name] = metric.values[i];
      row[`${metric.name}:unit`] = metric.unitCost[i];
    }
    return row;
  });
  const columns: TableColumn<Row>[] = [
    { title: 'Month', field: 'month' },
    {
      title: 'Cloud cost',
      render: row => money(row.cost, currency),
    },
    ...value.metrics.flatMap<TableColumn<Row>>(metric => [
      {
        title: metric.title,
        render: row =>
          row[metric.name] === null
            ? '—'
            : Number(row[metric.name]).toLocaleString('en-US'),
      },
      {
        title: `Cost per ${metric.unit}`,
        render: row =>
          row[`${metric.name}:unit`] === null
            ? '—'
            : money(Number(row[`${metric.name}:unit`]), currency, true),
      },
    ]),
  ];
  return (
    <Grid container spacing={3}>
      {value.demo && (
        <Grid item xs={12}>
          <Chip
            variant="outlined"
            size="small"
            label="Demo data: generated spend and business metrics"
          />
        </Grid>
      )}
      {value.errors.map(e => (
        <Grid item xs={12} key={e.metric}>
          <WarningPanel
            defaultExpanded
            severity="error"
            title={`The metric “${e.metric}” could not be read`}
            message={e.message}
          />
        </Grid>
      ))}
      <Grid item xs={12} md={8}>
        <InfoCard
          title="Cloud cost and unit cost"
          subheader={
            first
              ? `Bars: cloud cost by month. Line: cost per ${first.unit}.`
              : 'Cloud cost by month'
          }
        >
          <UnitCostChart economics={value} metric={first} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title={value.months[last] ?? 'This month'}>
          <Typography variant="h4" component="p">
            {money(value.cost[last] ?? 0, currency)}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            cloud cost so far
          </Typography>
          {value.metrics.map(metric => (
            <Box mt={2} key={metric.name}>
              <Typography variant="h5" component="p">
                {metric.unitCost[last - 1] === null
                  ? '—'
                  : money(metric.unitCost[last - 1]!, currency, true)}
              </Typography>
              <Typography variant="body2" color="textSecondary">
                per {metric.unit} in {value.months[last - 1]} (the last full
                month)
              </Typography>
            </Box>
          ))}
          {value.metrics.length === 0 && (
            <Box mt={2}>
              <Typography variant="subtitle2">
                No business metrics for this product
              </Typography>
              <Typography variant="body2" color="textSecondary">
                Add a metric under bi.metrics in the app config (a CSV file or a
                warehouse query returning month, entity and value) to see the
                unit cost.
              </Typography>
            </Box>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Table<Row>
          title="By month"
          columns={columns}
          data={[...rows].reverse()}
          // Newest month first; sortable headers nest buttons in header
          // cells (axe: nested-interactive).
          options={{
            paging: false,
            search: false,
            sorting: false,
            padding: 'dense',
          }}
        />
      </Grid>
    </Grid>
  );
}
