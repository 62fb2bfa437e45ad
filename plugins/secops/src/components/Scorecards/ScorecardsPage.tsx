import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  EmptyState,
  ErrorPanel,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  Grid,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { LeaderboardRow } from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';
import { LEVEL_STYLES } from './levels';
import { SCORECARD_LEVEL_ORDER } from './order';
import { CampaignsCard } from './CampaignsCard';

const PAGE = 25;

/** A score (0 to 100) as a bar, with its number for screen readers. */
function ScoreBar({ score, label }: { score: number; label: string }) {
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <Box
        role="img"
        aria-label={`${label}: score ${score} of 100`}
        style={{
          width: 120,
          height: 12,
          background: '#e5e7eb',
          borderRadius: 6,
          overflow: 'hidden',
        }}
      >
        <Box
          style={{
            width: `${Math.max(0, Math.min(100, score))}%`,
            height: '100%',
            background: '#1d4ed8',
          }}
        />
      </Box>
      <Typography variant="body2" style={{ whiteSpace: 'nowrap' }}>
        {score}
      </Typography>
    </Box>
  );
}

/** The change over a week: up, down or none, in words and arrows. */
function Change({ change }: { change?: number }) {
  if (change === undefined) {
    return (
      <Typography variant="body2" color="textSecondary">
        —
      </Typography>
    );
  }
  if (change === 0) return <Typography variant="body2">no change</Typography>;
  const up = change > 0;
  return (
    <Typography
      variant="body2"
      style={{ color: up ? '#15803d' : '#b91c1c', fontWeight: 600 }}
      aria-label={`${up ? 'up' : 'down'} ${Math.abs(change)} points`}
    >
      {up ? '▲ +' : '▼ '}
      {change}
    </Typography>
  );
}

function LevelCounts({ row }: { row: LeaderboardRow }) {
  return (
    <Typography variant="body2">
      {SCORECARD_LEVEL_ORDER.slice()
        .reverse()
        .map(
          level => `${row[level]} ${LEVEL_STYLES[level].label.toLowerCase()}`,
        )
        .join(' · ')}{' '}
      of {row.entities}
    </Typography>
  );
}

/**
 * Scorecards: the standards every service is measured against, and the
 * leaderboard of teams with their trend. Everyone signed in sees the
 * team-level scores; each entity's details stay on its Security tab, for
 * those who may see them.
 */
export function ScorecardsPage() {
  const api = useApi(secopsApiRef);
  const identity = useApi(identityApiRef);
  const [offset, setOffset] = useState(0);
  const [evaluating, setEvaluating] = useState(false);
  const [notice, setNotice] = useState<string>();
  const board = useAsyncRetry(
    () => api.getLeaderboard({ limit: PAGE, offset }),
    [api, offset],
  );
  const checks = useAsync(() => api.listScorecardChecks(), [api]);
  const mine = useAsync(async () => {
    const { ownershipEntityRefs } = await identity.getBackstageIdentity();
    return new Set(ownershipEntityRefs.map(r => r.toLowerCase()));
  }, [identity]);

  const evaluate = async () => {
    setEvaluating(true);
    setNotice(undefined);
    try {
      const summary = await api.evaluateScorecards();
      setNotice(
        `Evaluated ${summary.checks} checks over ${
          summary.entities
        } components in ${(summary.ms / 1000).toFixed(1)} s.`,
      );
      board.retry();
    } catch (e) {
      setNotice((e as Error).message);
    }
    setEvaluating(false);
  };

  return (
    <Page themeId="tool">
      <Header
        title="Scorecards"
        subtitle="How each team's services meet the organisation's standards: bronze, silver and gold"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={8}>
            <InfoCard
              title="Leaderboard"
              subheader={
                board.value?.day
                  ? `Teams by the average score of the components they own (with the teams below them), evaluated ${
                      board.value.day
                    }${
                      board.value.trendSince
                        ? `; change since ${board.value.trendSince}`
                        : ''
                    }`
                  : undefined
              }
              noPadding
            >
              {board.loading && <Progress />}
              {board.error && (
                <ErrorPanel
                  title="Could not load the leaderboard"
                  error={board.error}
                />
              )}
              {board.value && board.value.items.length === 0 && (
                <EmptyState
                  missing="data"
                  title="No scorecards yet"
                  description="The checks run every six hours; the security team can run them now with Evaluate now."
                />
              )}
              {board.value && board.value.items.length > 0 && (
                <>
                  <Table size="small" aria-label="Leaderboard of teams">
                    <TableHead>
                      <TableRow>
                        <TableCell style={{ whiteSpace: 'nowrap' }}>
                          Rank
                        </TableCell>
                        <TableCell>Team</TableCell>
                        <TableCell>Score</TableCell>
                        <TableCell>Services by level</TableCell>
                        <TableCell style={{ whiteSpace: 'nowrap' }}>
                          Change
                        </TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {board.value.items.map(row => {
                        const yours = mine.value?.has(row.groupRef);
                        return (
                          <TableRow key={row.groupRef} hover selected={!!yours}>
                            <TableCell>{row.rank}</TableCell>
                            <TableCell>
                              <EntityRefLink
                                entityRef={row.groupRef}
                                title={row.title}
                              />
                              {yours && (
                                <Typography variant="caption" display="block">
                                  your team
                                </Typography>
                              )}
                            </TableCell>
                            <TableCell style={{ whiteSpace: 'nowrap' }}>
                              <ScoreBar score={row.score} label={row.title} />
                            </TableCell>
                            <TableCell>
                              <LevelCounts row={row} />
                            </TableCell>
                            <TableCell>
                              <Change change={row.change} />
                            </TableCell>
                          </TableRow>
                        );
                      })}
                    </TableBody>
                  </Table>
                  <Box
                    display="flex"
                    justifyContent="space-between"
                    alignItems="center"
                    p={2}
                  >
                    <Typography variant="body2">
                      {offset + 1}–{offset + board.value.items.length} of{' '}
                      {board.value.totalCount} teams
                    </Typography>
                    <Box style={{ display: 'flex', gap: 8 }}>
                      <Button
                        size="small"
                        disabled={offset === 0}
                        onClick={() => setOffset(Math.max(0, offset - PAGE))}
                      >
                        Previous
                      </Button>
                      <Button
                        size="small"
                        disabled={offset + PAGE >= board.value.totalCount}
                        onClick={() => setOffset(offset + PAGE)}
                      >
                        Next
                      </Button>
                    </Box>
                  </Box>
                </>
              )}
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={4}>
            <Box mb={3}>
              <CampaignsCard />
            </Box>
            <InfoCard title="The standards">
              {checks.value?.items.length ? (
                SCORECARD_LEVEL_ORDER.map(level => (
                  <Box key={level} mb={2}>
                    <Typography variant="subtitle2" component="h3">
                      {LEVEL_STYLES[level].label}
                      {level === 'bronze'
                        ? ''
                        : ` (${
                            level === 'silver' ? 'bronze' : 'silver'
                          } and these)`}
                    </Typography>
                    {checks
                      .value!.items.filter(c => c.level === level)
                      .map(c => (
                        <Typography key={c.id} variant="body2" paragraph>
                          <strong>{c.title}.</strong> {c.description}
                        </Typography>
                      ))}
                  </Box>
                ))
              ) : (
                <Progress />
              )}
              <Box mt={2}>
                <Button
                  variant="outlined"
                  onClick={evaluate}
                  disabled={evaluating}
                >
                  {evaluating ? 'Evaluating…' : 'Evaluate now'}
                </Button>
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                >
                  For the security team; every six hours otherwise.
                </Typography>
                {evaluating && <Progress />}
                {notice && (
                  <Typography variant="body2" role="status">
                    {notice}
                  </Typography>
                )}
              </Box>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
