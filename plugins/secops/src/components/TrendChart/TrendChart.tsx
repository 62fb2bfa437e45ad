import useAsync from 'react-use/esm/useAsync';
import { InfoCard, Progress, ErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Severity, TrendPoint } from '@portal/plugin-secops-common';
import { Box, Typography } from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';
import { SEVERITY_COLORS } from '../EntitySecurityContent/severity';

const STACK: Severity[] = ['critical', 'high', 'medium', 'low'];
const WIDTH = 720;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 8, bottom: 22 };

/** Stacked areas of open findings per day, worst at the bottom. */
export function TrendSvg({ points }: { points: TrendPoint[] }) {
  const totals = points.map(p => STACK.reduce((n, s) => n + p.open[s], 0));
  const max = Math.max(1, ...totals);
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) =>
    PAD.left + (points.length < 2 ? 0 : (i / (points.length - 1)) * w);
  const y = (v: number) => PAD.top + h - (v / max) * h;

  const base = points.map(() => 0);
  const areas = STACK.map(severity => {
    const lower = [...base];
    points.forEach((p, i) => {
      base[i] += p.open[severity];
    });
    const top = points.map((_, i) => `${x(i)},${y(base[i])}`);
    const bottom = points.map((_, i) => `${x(i)},${y(lower[i])}`).reverse();
    return (
      <polygon
        key={severity}
        points={[...top, ...bottom].join(' ')}
        fill={SEVERITY_COLORS[severity]}
        opacity={0.85}
      />
    );
  });
  const last = points[points.length - 1];
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      role="img"
      aria-label={`Open findings over ${points.length} days, ${
        totals[totals.length - 1] ?? 0
      } today`}
    >
      {[0, 0.5, 1].map(f => (
        <g key={f}>
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={y(max * f)}
            y2={y(max * f)}
            stroke="#e5e7eb"
          />
          <text
            x={PAD.left - 6}
            y={y(max * f) + 4}
            fontSize={10}
            textAnchor="end"
            fill="#6b7280"
          >
            {Math.round(max * f)}
          </text>
        </g>
      ))}
      {areas}
      {points.length > 0 && (
        <>
          <text x={PAD.left} y={HEIGHT - 6} fontSize={10} fill="#6b7280">
            {points[0].day}
          </text>
          <text
            x={WIDTH - PAD.right}
            y={HEIGHT - 6}
            fontSize={10}
            textAnchor="end"
            fill="#6b7280"
          >
            {last.day}
          </text>
        </>
      )}
    </svg>
  );
}

/** A card with the trend of an entity or of a group's roll-up. */
export function TrendCard({
  entityRef,
  days = 90,
}: {
  entityRef: string;
  days?: number;
}) {
  const api = useApi(secopsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getTrend(entityRef, days),
    [api, entityRef, days],
  );
  return (
    <InfoCard
      title="Open findings over time"
      subheader={`Last ${days} days, by severity`}
    >
      {loading && <Progress />}
      {error && <ErrorPanel title="Could not load the trend" error={error} />}
      {value && <TrendSvg points={value.items} />}
      <Box display="flex" style={{ gap: 16 }} mt={1}>
        {STACK.map(severity => (
          <Box
            key={severity}
            display="flex"
            alignItems="center"
            style={{ gap: 6 }}
          >
            <span
              style={{
                width: 12,
                height: 12,
                borderRadius: 2,
                background: SEVERITY_COLORS[severity],
                display: 'inline-block',
              }}
            />
            <Typography variant="caption">{severity}</Typography>
          </Box>
        ))}
      </Box>
    </InfoCard>
  );
}
