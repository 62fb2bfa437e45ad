import { Link, WarningPanel } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Chip, Tooltip, Typography } from '@material-ui/core';
import {
  BURN_RATE_ALERTS,
  BURN_RATE_WINDOWS,
  ReliabilityAlert,
  Slo,
  SloDefinitionProblem,
  SloHistoryPoint,
  SloStatus,
  SreSourceStatus,
} from '@portal/plugin-sre-common';

const STATUS: Record<
  SloStatus,
  { label: string; color: string; help: string }
> = {
  exhausted: {
    label: 'Budget exhausted',
    color: '#b71c1c',
    help: 'No error budget left in the window: reliability work comes first.',
  },
  'burning-fast': {
    label: 'Burning fast',
    color: '#bf360c',
    help: 'A fast burn-rate pair (1h/5m over 14.4 or 6h/30m over 6) fires: page-worthy.',
  },
  burning: {
    label: 'Burning',
    color: '#a84300',
    help: 'The slow pair (3d/6h over 1) fires: the budget will not last the window.',
  },
  'no-data': {
    label: 'No data',
    color: '#616161',
    help: 'The source had no samples for the SLI.',
  },
  unknown: {
    label: 'Not evaluated yet',
    color: '#616161',
    help: 'The SLO has not been evaluated yet.',
  },
  ok: {
    label: 'Within budget',
    color: '#2e7d32',
    help: 'Within its error budget and not burning too fast.',
  },
};

export function StatusChip({ status }: { status: SloStatus }) {
  const s = STATUS[status] ?? STATUS.unknown;
  return (
    <Tooltip title={s.help}>
      <Chip
        size="small"
        label={s.label}
        style={{ background: s.color, color: '#fff' }}
      />
    </Tooltip>
  );
}

export const percent = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`;

export function rate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return v.toFixed(v >= 100 ? 0 : 2);
}

function budgetColor(remaining: number | null): string {
  if (remaining === null) return '#616161';
  if (remaining > 0.5) return '#2e7d32';
  return remaining > 0.2 ? '#a84300' : '#b71c1c';
}

function budgetText(remaining: number | null): string {
  if (remaining === null) return 'no data';
  return remaining <= 0
    ? `overspent (${percent(remaining, 0)})`
    : `${percent(remaining, 0)} left`;
}

/** The budget left as a bar: green to red, empty when overspent. */
export function BudgetBar({ remaining }: { remaining: number | null }) {
  const share = remaining === null ? 0 : Math.max(0, Math.min(1, remaining));
  const color = budgetColor(remaining);
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <Box
        // A meter needs a value: an SLO not evaluated yet has none, and its
        // bar is only decoration next to the words "no data".
        {...(remaining === null
          ? { 'aria-hidden': true }
          : {
              role: 'meter',
              'aria-label': 'Error budget remaining',
              'aria-valuemin': 0,
              'aria-valuemax': 100,
              'aria-valuenow': Math.round(share * 100),
              'aria-valuetext': budgetText(remaining),
            })}
        width={160}
        height={10}
        bgcolor="#e0e0e0"
        borderRadius={5}
        overflow="hidden"
      >
        <Box width={`${share * 100}%`} height="100%" bgcolor={color} />
      </Box>
      <Typography variant="body2">{budgetText(remaining)}</Typography>
    </Box>
  );
}

/** Burn rates per window; a pair that fires is marked. */
export function BurnRates({ slo }: { slo: Slo }) {
  const firing = new Set<string>();
  for (const a of BURN_RATE_ALERTS) {
    if (
      (slo.burnRates[a.long] ?? 0) > a.threshold &&
      (slo.burnRates[a.short] ?? 0) > a.threshold
    ) {
      firing.add(a.long);
      firing.add(a.short);
    }
  }
  return (
    <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
      {BURN_RATE_WINDOWS.map(w => (
        <Box key={w} textAlign="center">
          <Typography variant="caption" color="textSecondary">
            {w}
          </Typography>
          <Typography
            variant="body1"
            style={{
              fontWeight: firing.has(w) ? 700 : 400,
              color: firing.has(w) ? '#bf360c' : undefined,
            }}
          >
            {rate(slo.burnRates[w])}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

const W = 640;
const H = 160;
const PAD = { left: 44, right: 12, top: 10, bottom: 22 };

/** The budget left over the last days, as a line (0 is the red line). */
export function BudgetChart({ points }: { points: SloHistoryPoint[] }) {
  const values = points.filter(p => p.errorBudgetRemaining !== null);
  if (values.length < 2) {
    return (
      <Typography variant="body2" color="textSecondary">
        The chart fills in as the SLO is evaluated (every minute).
      </Typography>
    );
  }
  const times = values.map(p => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const ys = values.map(p => p.errorBudgetRemaining!);
  const lo = Math.min(0, ...ys);
  const hi = Math.max(1, ...ys);
  const w = W - PAD.left - PAD.right;
  const h = H - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v: number) => PAD.top + h - ((v - lo) / (hi - lo)) * h;
  const line = values.map((_p, i) => `${x(times[i])},${y(ys[i])}`).join(' ');
  const day = (t: number) =>
    new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label="Error budget remaining over time"
    >
      {[lo, 0, 0.5, 1, hi]
        .filter((v, i, a) => a.indexOf(v) === i)
        .map(v => (
          <g key={v}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(v)}
              y2={y(v)}
              stroke={v === 0 ? '#b71c1c' : '#e0e0e0'}
            />
            <text
              x={PAD.left - 6}
              y={y(v) + 4}
              fontSize={10}
              textAnchor="end"
              fill="#757575"
            >
              {Math.round(v * 100)}%
            </text>
          </g>
        ))}
      <polyline points={line} fill="none" stroke="#1565c0" strokeWidth={2} />
      <text x={PAD.left} y={H - 4} fontSize={10} fill="#757575">
        {day(t0)}
      </text>
      <text
        x={W - PAD.right}
        y={H - 4}
        fontSize={10}
        fill="#757575"
        textAnchor="end"
      >
        {day(t1)}
      </text>
    </svg>
  );
}

/** Says where the data comes from, or that nothing is configured, and errors. */
export function SourceNotice({
  status,
  problems,
}: {
  status: SreSourceStatus;
  problems: SloDefinitionProblem[];
}) {
  return (
    <>
      {!status.configured && (
        <WarningPanel
          title="No SLI source is configured"
          message="SLOs are read from the catalog but nothing evaluates them: set sre.prometheus in app-config.yaml (the embedded default starts a local Prometheus when Debian's prometheus package is installed)."
        />
      )}
      {problems.map(p => (
        <WarningPanel
          key={p.entityRef}
          title={`The SLOs of ${p.entityRef} could not be read`}
          message={p.message}
        />
      ))}
      {status.configured && (
        <Typography variant="caption" color="textPrimary" component="p">
          From{' '}
          {status.sources.map(s => `${s.type} ${s.name} (${s.url})`).join(', ')}
          {status.lastEvaluationAt
            ? `, evaluated ${new Date(
                status.lastEvaluationAt,
              ).toLocaleTimeString()}`
            : ''}
          .
        </Typography>
      )}
    </>
  );
}

export function entityLink(ref: string) {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}`;
}

/** Alerts, newest first: firing ones stand out. */
export function AlertList({
  alerts,
  showEntity,
}: {
  alerts: ReliabilityAlert[];
  showEntity?: boolean;
}) {
  if (!alerts.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No alerts. Alertmanager sends them to /api/sre/alertmanager with a label
        naming the entity (backstage_entity, entity or service).
      </Typography>
    );
  }
  return (
    <Box component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {alerts.map(a => (
        <Box
          component="li"
          key={a.id}
          display="flex"
          alignItems="baseline"
          style={{ gap: 8 }}
          py={0.5}
        >
          <Chip
            size="small"
            label={a.status}
            style={{
              background: a.status === 'firing' ? '#bf360c' : '#616161',
              color: '#fff',
            }}
          />
          <Typography variant="body2" style={{ minWidth: 140 }}>
            {new Date(a.startsAt).toLocaleString('en-GB', {
              dateStyle: 'medium',
              timeStyle: 'short',
            })}
          </Typography>
          <Typography variant="body2">
            <strong>{a.alertName}</strong>
            {a.severity ? ` (${a.severity})` : ''}
            {showEntity && (
              <>
                {' on '}
                <Link to={entityLink(a.entityRef)}>
                  {parseEntityRef(a.entityRef).name}
                </Link>
              </>
            )}
            {a.summary ? `: ${a.summary}` : ''}
            {a.generatorUrl && (
              <>
                {' '}
                <Link to={a.generatorUrl}>source</Link>
              </>
            )}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
