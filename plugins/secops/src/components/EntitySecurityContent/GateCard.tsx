import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Chip,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import { GateStatus } from '@portal/plugin-secops-common';

/** The gate as CI would see it now, with each rule and the last CI answer. */
export function GateCard({ status }: { status: GateStatus }) {
  const { current, last } = status;
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <span>Release gate</span>
          <Chip
            size="small"
            label={current.passed ? 'passing' : 'failing'}
            style={{
              backgroundColor: current.passed ? '#15803d' : '#b91c1c',
              color: '#fff',
              fontWeight: 600,
            }}
          />
        </Box>
      }
      subheader={`Policy "${current.gate}", owned by SecOps${
        last
          ? ` · last CI check ${new Date(last.evaluatedAt).toLocaleString()}: ${
              last.passed ? 'passed' : 'failed'
            }`
          : ' · no CI check yet'
      }`}
    >
      {current.reasons.length === 0 ? (
        <Typography>No gate policy applies to this entity.</Typography>
      ) : (
        <List dense disablePadding>
          {current.reasons.map(reason => (
            <ListItem key={reason.message} disableGutters>
              <ListItemIcon style={{ minWidth: 32 }}>
                {reason.passed ? (
                  <CheckCircle style={{ color: '#15803d' }} />
                ) : (
                  <Cancel style={{ color: '#b91c1c' }} />
                )}
              </ListItemIcon>
              <ListItemText
                primary={reason.message}
                secondary={
                  reason.passed
                    ? undefined
                    : reason.examples.map(e => e.ruleId).join(', ')
                }
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
