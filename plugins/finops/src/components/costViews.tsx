/*
 * The pieces every FinOps view is made of: money, change against the
 * previous period, bar charts (SVG, no chart library), share lists, and the
 * notices for demo data, failed imports and refusals.
 */
import { ReactNode, useState } from 'react';
import { Link, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { Box, Chip, Tooltip, Typography } from '@material-ui/core';
import {
  CostPoint,
  CostShare,
  SourceStatus,
} from '@portal/plugin-finops-common';

export const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#d97706',
  '#9333ea',
  '#dc2626',
  '#0891b2',
  '#4b5563',
  '#db2777',
  '#65a30d',
  '#7c3aed',
];

/** An amount of money, e.g. "$12,340" or "$12.3K" when compact. */
export function formatMoney(
  amount: number,
  currency: string,
  options: { compact?: boolean; cents?: boolean } = {},
): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    notation: options.compact ? 'compact' : 'standard',
    maximumFractionDigits: options.cents ? 2 : 0,
    minimumFractionDigits: 0,
  }).format(amount);
}

/** "+12% ↑" in red, "−5% ↓" in green, against the previous period. */
export function ChangeChip({
  amount,
  previous,
}: {
  amount: number;
  previous: number;
}) {
  if (previous === 0) {
    return amount === 0 ? null : (
      <Chip size="small" label="new" variant="outlined" />
    );
  }
  const change = (amount - previous) / Math.abs(previous);
  const percent = Math.round(change * 100);
  let arrow = '';
  let style: { color?: string; borderColor?: string } = {};
  if (percent > 0) {
    arrow = ' ↑';
    style = { color: '#b91c1c', borderColor: '#fca5a5' };
  } else if (percent < 0) {
    arrow = ' ↓';
    style = { color: '#15803d', borderColor: '#86efac' };
  }
  return (
    <Tooltip title="Against the previous period of the same length">
      <Chip
        size="small"
        variant="outlined"
        label={`${percent > 0 ? '+' : ''}${percent}%${arrow}`}
        style={style}
      />
    </Tooltip>
  );
}

/** The drawing's width: 720 fills a full-width card, 420 a half-width one. */
const FULL = 720;
const HEIGHT = 200;
const PAD = { left: 52, right: 8, top: 10, bottom: 24 };

function Axis({
  max,
  currency,
  width,
}: {
  max: number;
  currency: string;
  width: number;
}) {
  const h = HEIGHT - PAD.top - PAD.bottom;
  return (
    <>
      {[0, 0.5, 1].map(f => {
        const y = PAD.top + h - f * h;
        return (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={width - PAD.right}
              y1={y}
              y2={y}
              stroke="#e5e7eb"
            />
            <text
              x={PAD.left - 6}
              y={y + 4}
              fontSize={10}
              textAnchor="end"
              fill="#6b7280"
            >
              {formatMoney(max * f, currency, { compact: true })}
            </text>
          </g>
        );
      })}
    </>
  );
}

/**
 * Bars over time (days or months). Days from `estimatedFrom` on are drawn
 * lighter: the provider may still change them.
 */
export function CostBars({
  points,
  currency,
  estimatedFrom,
  label,
  width = FULL,
}: {
  points: CostPoint[];
  currency: string;
  estimatedFrom?: string;
  label: string;
  width?: number;
}) {
  const max = Math.max(1, ...points.map(p => p.amount));
  const w = width - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const step = w / Math.max(1, points.length);
  const barWidth = Math.max(1, step * 0.75);
  return (
    <svg
      viewBox={`0 0 ${width} ${HEIGHT}`}
      width="100%"
      role="img"
      aria-label={label}
    >
      <Axis max={max} currency={currency} width={width} />
      {points.map((p, i) => {
        const height = (Math.max(0, p.amount) / max) * h;
        const estimated = !!estimatedFrom && p.period >= estimatedFrom;
        return (
          <rect
            key={p.period}
            x={PAD.left + i * step + (step - barWidth) / 2}
            y={PAD.top + h - height}
            width={barWidth}
            height={height}
            fill={estimated ? '#93c5fd' : '#2563eb'}
          >
            <title>
              {`${p.period}: ${formatMoney(p.amount, currency, {
                cents: true,
              })}${estimated ? ' (estimated)' : ''}`}
            </title>
          </rect>
        );
      })}
      {points.length > 0 && (
        <>
          <text x={PAD.left} y={HEIGHT - 6} fontSize={10} fill="#6b7280">
            {points[0].period}
          </text>
          <text
            x={width - PAD.right}
            y={HEIGHT - 6}
            fontSize={10}
            textAnchor="end"
            fill="#6b7280"
          >
            {points[points.length - 1].period}
          </text>
        </>
      )}
    </svg>
  );
}

/** Stacked monthly bars, one colour per series, with a legend. */
export function StackedMonths({
  months,
  series,
  currency,
  label,
  width = FULL,
}: {
  months: string[];
  series: Array<{ ref: string; title?: string; amounts: number[] }>;
  currency: string;
  label: string;
  width?: number;
}) {
  const totals = months.map((_, i) =>
    series.reduce((t, s) => t + Math.max(0, s.amounts[i] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const w = width - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const step = w / Math.max(1, months.length);
  const barWidth = step * 0.7;
  return (
    <Box>
      <svg
        viewBox={`0 0 ${width} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={label}
      >
        <Axis max={max} currency={currency} width={width} />
        {months.map((month, i) => {
          let base = 0;
          return (
            <g key={month}>
              {series.map((s, k) => {
                const value = Math.max(0, s.amounts[i] ?? 0);
                const height = (value / max) * h;
                base += height;
                return (
                  <rect
                    key={s.ref}
                    x={PAD.left + i * step + (step - barWidth) / 2}
                    y={PAD.top + h - base}
                    width={barWidth}
                    height={height}
                    fill={PALETTE[k % PALETTE.length]}
                  >
                    <title>{`${month} · ${s.title ?? s.ref}: ${formatMoney(
                      value,
                      currency,
                    )}`}</title>
                  </rect>
                );
              })}
              {(step >= 36 || i % 2 === 0) && (
                <text
                  x={PAD.left + i * step + step / 2}
                  y={HEIGHT - 6}
                  fontSize={10}
                  textAnchor="middle"
                  fill="#6b7280"
                >
                  {month.slice(2)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Box display="flex" flexWrap="wrap" style={{ gap: 12 }} mt={1}>
        {series.map((s, k) => (
          <Box
            key={s.ref}
            display="flex"
            alignItems="center"
            style={{ gap: 6 }}
          >
            <span
              style={{
                width: 12,
                height: 12,
                borderRadius: 2,
                background: PALETTE[k % PALETTE.length],
                display: 'inline-block',
              }}
            />
            <Typography variant="caption">{s.title ?? s.ref}</Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}

/** Shares of a total as horizontal bars, biggest first, with the change. */
export function ShareBars({
  shares,
  currency,
  linkOf,
  empty,
  showChange = true,
}: {
  shares: CostShare[];
  currency: string;
  linkOf?: (key: string) => string | undefined;
  empty?: ReactNode;
  /** Whether to show the change against the previous period. */
  showChange?: boolean;
}) {
  if (shares.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {empty ?? 'Nothing in this period.'}
      </Typography>
    );
  }
  const max = Math.max(1, ...shares.map(s => s.amount));
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 10 }}>
      {shares.map(share => {
        const link = linkOf?.(share.key);
        const name = share.title ?? share.key;
        return (
          <Box key={share.key}>
            <Box
              display="flex"
              justifyContent="space-between"
              alignItems="center"
            >
              <Typography variant="body2" noWrap style={{ maxWidth: '60%' }}>
                {link ? <Link to={link}>{name}</Link> : name}
              </Typography>
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <Typography variant="body2">
                  {formatMoney(share.amount, currency)}
                </Typography>
                {showChange && (
                  <ChangeChip amount={share.amount} previous={share.previous} />
                )}
              </Box>
            </Box>
            <Box
              height={6}
              borderRadius={3}
              bgcolor="#e5e7eb"
              mt={0.5}
              aria-hidden
            >
              <Box
                height={6}
                borderRadius={3}
                bgcolor="#2563eb"
                width={`${(Math.max(0, share.amount) / max) * 100}%`}
              />
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}

/** The catalog page of an entity or group ref. */
export function entityLink(ref: string): string | undefined {
  const match = /^([^:]+):([^/]+)\/(.+)$/.exec(ref);
  return match ? `/catalog/${match[2]}/${match[1]}/${match[3]}` : undefined;
}

/** Says the figures are generated demo data, or that an import failed. */
export function DataNotices({
  demo,
  sources,
}: {
  demo: boolean;
  sources?: SourceStatus[];
}) {
  const failed = (sources ?? []).filter(s => s.lastFailure);
  return (
    <>
      {demo && (
        <Box mb={2}>
          <Chip
            variant="outlined"
            size="small"
            label="Demo data: a generated year of spend for the demo organisation"
          />
        </Box>
      )}
      {failed.map(s => (
        <Box mb={2} key={s.source}>
          <WarningPanel
            defaultExpanded
            severity="warning"
            title={`The last import from ${
              s.source
            } failed; the figures are from ${
              s.lastSuccess?.finishedAt.slice(0, 10) ?? 'no earlier import'
            }`}
            message={s.lastFailure?.error}
          />
        </Box>
      ))}
    </>
  );
}

/** A refusal from the backend, said for people. */
export function isRefusal(error: unknown): boolean {
  return error instanceof ResponseError && error.response.status === 403;
}

/**
 * Page-by-page browsing of a list the server pages with cursors: the cursor
 * of the page shown, its number, and what a table's page change does with
 * the next page's cursor.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const page = cursors.length - 1;
  return {
    page,
    cursor: cursors[page],
    onPageChange(next: number, nextCursor?: string) {
      if (next > page && nextCursor) {
        setCursors([...cursors, nextCursor]);
      } else if (next < page) {
        setCursors(cursors.slice(0, next + 1));
      }
    },
  };
}
