import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import { SCORECARD_LEVEL_ORDER } from './order';
import { secopsApiRef } from '../../api/SecopsClient';
import { LEVEL_STYLES, LevelChip } from './levels';
import { AskCheckExemption, CheckExemptionList } from './CheckExemptions';

/**
 * An entity's scorecard: its level, each check passed or not with what was
 * found, grouped by level, and its score over the last 30 days.
 */
export function ScorecardCard({ entityRef }: { entityRef: string }) {
  const api = useApi(secopsApiRef);
  const [version, setVersion] = useState(0);
  const card = useAsyncRetry(
    () => api.getEntityScorecard(entityRef),
    [api, entityRef],
  );
  const changed = () => {
    setVersion(v => v + 1);
    card.retry();
  };
  if (card.loading) return <Progress />;
  if (card.error || !card.value) return null;
  const value = card.value;
  if (!value.checks.length) {
    return (
      <InfoCard title="Scorecard">
        <Typography variant="body2">
          Not evaluated yet: the checks run every six hours (the security team
          can run them now from the Scorecards page).
        </Typography>
      </InfoCard>
    );
  }
  const history = value.history.map(h => `${h.day}: ${h.score}`).join(', ');
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <span>Scorecard</span>
          <LevelChip level={value.level} />
        </Box>
      }
      subheader={`${value.passed} of ${value.total} checks pass (score ${
        value.score
      }) · evaluated ${value.evaluatedAt?.slice(0, 16).replace('T', ' ')} UTC`}
    >
      {SCORECARD_LEVEL_ORDER.map(level => {
        const checks = value.checks.filter(c => c.level === level);
        if (!checks.length) return null;
        return (
          <Box key={level} mb={1}>
            <Typography variant="subtitle2" component="h3">
              {LEVEL_STYLES[level].label}
            </Typography>
            <List dense disablePadding>
              {checks.map(check => (
                <ListItem
                  key={check.id}
                  disableGutters
                  title={check.description}
                >
                  <ListItemIcon style={{ minWidth: 32 }}>
                    {check.passed ? (
                      <CheckCircle
                        style={{ color: '#15803d' }}
                        titleAccess="Passed"
                      />
                    ) : (
                      <Cancel
                        style={{ color: '#b91c1c' }}
                        titleAccess="Failed"
                      />
                    )}
                  </ListItemIcon>
                  <ListItemText
                    primary={check.title}
                    secondary={
                      <>
                        {check.detail}
                        {!check.passed && (
                          <AskCheckExemption
                            entityRef={entityRef}
                            checkId={check.id}
                            title={check.title}
                            onDone={changed}
                          />
                        )}
                      </>
                    }
                    secondaryTypographyProps={{ component: 'div' }}
                  />
                </ListItem>
              ))}
            </List>
          </Box>
        );
      })}
      <CheckExemptionList
        entityRef={entityRef}
        version={version}
        onDecided={changed}
      />
      {value.history.length > 1 && (
        <Typography variant="caption" color="textSecondary">
          Score by day: {history}
        </Typography>
      )}
    </InfoCard>
  );
}
