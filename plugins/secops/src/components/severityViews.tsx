import { Chip, Tooltip } from '@material-ui/core';
import { Severity } from '@portal/plugin-secops-common';
import { SEVERITY_COLORS } from './EntitySecurityContent/severity';

const BAR_SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

/** A severity as a coloured chip. */
export function SeverityChip({ severity }: { severity: Severity }) {
  return (
    <Chip
      size="small"
      label={severity}
      style={{
        backgroundColor: SEVERITY_COLORS[severity],
        color: '#fff',
        fontWeight: 600,
      }}
    />
  );
}

/** Sum of open findings that the bars show (info left out). */
export const openTotal = (open: Record<Severity, number>) =>
  BAR_SEVERITIES.reduce((n, s) => n + open[s], 0);

/**
 * One horizontal bar: open findings by severity, worst on the left, scaled so
 * that `max` fills the width. Bars of one table share `max` to compare.
 */
export function SeverityBar(props: {
  open: Record<Severity, number>;
  label: string;
  max: number;
  width?: number;
  height?: number;
}) {
  const { open, label, max, width = 240, height = 14 } = props;
  let x = 0;
  return (
    <Tooltip title={BAR_SEVERITIES.map(s => `${open[s]} ${s}`).join(' · ')}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`${openTotal(open)} open findings of ${label}`}
      >
        <rect width={width} height={height} fill="#e5e7eb" rx={3} />
        {BAR_SEVERITIES.map(severity => {
          const w = max ? (open[severity] / max) * width : 0;
          const rect = (
            <rect
              key={severity}
              x={x}
              width={w}
              height={height}
              fill={SEVERITY_COLORS[severity]}
            />
          );
          x += w;
          return rect;
        })}
      </svg>
    </Tooltip>
  );
}
