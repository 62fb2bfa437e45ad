import { Box, Grid, Typography } from '@material-ui/core';
import { Severity, SEVERITIES } from '@portal/plugin-secops-common';
import { SEVERITY_COLORS } from './severity';

/** Read by screen readers, not shown. */
const VISUALLY_HIDDEN: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

/**
 * The open findings of each severity, as buttons that filter the findings
 * table by severity (several at once).
 */
export function SeverityTiles(props: {
  open: Record<Severity, number>;
  selected: Severity[];
  onToggle: (severity: Severity) => void;
}) {
  return (
    <Grid container spacing={2}>
      {SEVERITIES.map(severity => {
        const active = props.selected.includes(severity);
        return (
          <Grid item xs key={severity}>
            <Box
              role="button"
              aria-pressed={active}
              tabIndex={0}
              onClick={() => props.onToggle(severity)}
              onKeyDown={e => e.key === 'Enter' && props.onToggle(severity)}
              style={{
                cursor: 'pointer',
                borderRadius: 8,
                padding: 12,
                color: '#fff',
                background: SEVERITY_COLORS[severity],
                opacity: props.selected.length && !active ? 0.45 : 1,
                outline: active ? '3px solid #111' : undefined,
              }}
            >
              <Typography variant="h4" component="div">
                {props.open[severity]}
              </Typography>
              <Typography
                variant="body2"
                style={{ textTransform: 'capitalize' }}
              >
                {severity}{' '}
                {/* The button's name is what it shows: "3 critical open findings". */}
                <span style={VISUALLY_HIDDEN}>open findings</span>
              </Typography>
            </Box>
          </Grid>
        );
      })}
    </Grid>
  );
}
