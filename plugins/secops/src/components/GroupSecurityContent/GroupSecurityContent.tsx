import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { SEVERITIES } from '@portal/plugin-secops-common';
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
import { secopsApiRef } from '../../api/SecopsClient';
import { openTotal, SeverityBar } from '../severityViews';
import { SEVERITY_COLORS } from '../EntitySecurityContent/severity';
import { TrendCard } from '../TrendChart';

const PAGE_SIZE = 25;

function Tile(props: { label: string; value: number; color: string }) {
  return (
    <Box
      style={{
        borderRadius: 8,
        padding: 12,
        color: '#fff',
        background: props.color,
      }}
    >
      <Typography variant="h4" component="div">
        {props.value}
      </Typography>
      <Typography variant="body2">{props.label}</Typography>
    </Box>
  );
}

/** The Security tab of a group: everything it and its sub-groups own. */
export function GroupSecurityContent() {
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity);
  const api = useApi(secopsApiRef);
  const [offset, setOffset] = useState(0);
  const { value, loading, error } = useAsync(
    () => api.getGroupPosture(groupRef, { limit: PAGE_SIZE, offset }),
    [api, groupRef, offset],
  );

  if (loading && !value) return <Progress />;
  if (error) {
    return (
      <ErrorPanel title="Could not load the security posture" error={error} />
    );
  }
  const posture = value!;
  if (posture.totalCount === 0) {
    return (
      <EmptyState
        missing="data"
        title={
          posture.hidden
            ? 'The findings of this group are private to it'
            : 'This group owns no components, resources or systems yet'
        }
        description={
          posture.hidden
            ? `${posture.hidden} entities belong to this group; their security findings are visible to the group, the groups above it and the security team.`
            : 'Set spec.owner of catalog entities to this group (or one of its sub-groups) to see their security posture here.'
        }
      />
    );
  }
  const max = Math.max(1, ...posture.items.map(r => openTotal(r.open)));

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Security posture"
          subheader={`${
            posture.totalCount
          } components, resources and systems owned by ${
            entity.metadata.title ?? entity.metadata.name
          } and its sub-groups · ${posture.totals.scanned} scanned${
            posture.hidden ? ` · ${posture.hidden} not visible to you` : ''
          }`}
        >
          <Grid container spacing={2}>
            {SEVERITIES.filter(s => s !== 'info').map(severity => (
              <Grid item xs key={severity}>
                <Tile
                  label={`open ${severity}`}
                  value={posture.totals.open[severity]}
                  color={SEVERITY_COLORS[severity]}
                />
              </Grid>
            ))}
            <Grid item xs>
              <Tile
                label="overdue"
                value={posture.totals.overdue}
                color="#111827"
              />
            </Grid>
            <Grid item xs>
              <Tile
                label="known exploited"
                value={posture.totals.knownExploited}
                color="#b91c1c"
              />
            </Grid>
            <Grid item xs>
              <Tile
                label="internet-facing without DAST"
                value={posture.totals.dastMissing ?? 0}
                color="#92400e"
              />
            </Grid>
          </Grid>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <TrendCard entityRef={groupRef} />
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Worst first" noPadding>
          <Table size="small" aria-label="Posture by entity">
            <TableHead>
              <TableRow>
                <TableCell>Entity</TableCell>
                <TableCell>Owner</TableCell>
                <TableCell>Open findings</TableCell>
                <TableCell align="right">Critical</TableCell>
                <TableCell align="right">High</TableCell>
                <TableCell align="right">Overdue</TableCell>
                <TableCell align="right">Known exploited</TableCell>
                <TableCell>Last scan</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {posture.items.map(row => (
                <TableRow key={row.entityRef} hover>
                  <TableCell>
                    <EntityRefLink
                      entityRef={row.entityRef}
                      title={row.title}
                    />
                  </TableCell>
                  <TableCell>
                    {row.owner && (
                      <EntityRefLink
                        entityRef={row.owner}
                        defaultKind="group"
                      />
                    )}
                  </TableCell>
                  <TableCell>
                    {row.lastScanAt ? (
                      <SeverityBar
                        open={row.open}
                        label={row.title}
                        max={max}
                      />
                    ) : (
                      <Typography variant="caption" color="textSecondary">
                        never scanned
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell align="right">{row.open.critical}</TableCell>
                  <TableCell align="right">{row.open.high}</TableCell>
                  <TableCell
                    align="right"
                    style={
                      row.overdue ? { color: '#b91c1c', fontWeight: 600 } : {}
                    }
                  >
                    {row.overdue}
                  </TableCell>
                  <TableCell
                    align="right"
                    style={
                      row.knownExploited
                        ? { color: '#b91c1c', fontWeight: 600 }
                        : {}
                    }
                  >
                    {row.knownExploited}
                  </TableCell>
                  <TableCell>
                    {row.lastScanAt?.slice(0, 10) ?? '—'}
                    {row.exposure?.dastMissing && (
                      <Typography
                        variant="caption"
                        display="block"
                        style={{ color: '#92400e', fontWeight: 600 }}
                        title={`Internet-facing: ${row.exposure.reasons.join(
                          '; ',
                        )}`}
                      >
                        internet-facing, no DAST in{' '}
                        {row.exposure.dastMaxAgeDays} days
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box
            display="flex"
            justifyContent="flex-end"
            alignItems="center"
            p={2}
            style={{ gap: 16 }}
          >
            <Typography variant="body2" color="textSecondary">
              {offset + 1}–{Math.min(offset + PAGE_SIZE, posture.totalCount)} of{' '}
              {posture.totalCount}
            </Typography>
            <Button
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </Button>
            <Button
              disabled={offset + PAGE_SIZE >= posture.totalCount}
              onClick={() => setOffset(offset + PAGE_SIZE)}
            >
              Next
            </Button>
          </Box>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
