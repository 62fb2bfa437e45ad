import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
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
import {
  Box,
  Button,
  MenuItem,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { ComplianceStatus } from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';

type Control = ComplianceStatus['controls'][number];

/** A control's pass rate by day, as a small line (0 to 100). */
function Sparkline({ control }: { control: Control }) {
  const points = control.history;
  if (points.length < 2) return null;
  const width = 120;
  const height = 28;
  const step = width / (points.length - 1);
  const path = points
    .map(
      (p, i) =>
        `${(i * step).toFixed(1)},${(height - (p.rate / 100) * height).toFixed(
          1,
        )}`,
    )
    .join(' ');
  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label={`${control.id} pass rate by day, from ${points[0].rate}% on ${
        points[0].day
      } to ${points[points.length - 1].rate}%`}
    >
      <polyline points={path} fill="none" stroke="#1d4ed8" strokeWidth={2} />
    </svg>
  );
}

/** Green from 90%, amber from 60%, red below. */
function rateColor(rate: number): string {
  if (rate >= 90) return '#15803d';
  if (rate >= 60) return '#b45309';
  return '#b91c1c';
}

function RateBar({ control }: { control: Control }) {
  if (control.rate === undefined) {
    return (
      <Typography variant="body2" color="textSecondary">
        no results yet
      </Typography>
    );
  }
  const color = rateColor(control.rate);
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <Box
        aria-hidden
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
            width: `${control.rate}%`,
            height: '100%',
            background: color,
          }}
        />
      </Box>
      <Typography variant="body2" style={{ whiteSpace: 'nowrap' }}>
        {control.rate}% ({control.passing} of {control.entities})
      </Typography>
    </Box>
  );
}

/**
 * Continuous compliance: each control of a framework (SOC 2, HITRUST CSF)
 * with the share of services passing the checks it maps to, its last 30
 * days, and, for the security team, the evidence export for auditors.
 */
export function CompliancePage() {
  const api = useApi(secopsApiRef);
  const identity = useApi(identityApiRef);
  const frameworks = useAsync(() => api.listComplianceFrameworks(), [api]);
  const groups = useAsync(async () => {
    const { ownershipEntityRefs } = await identity.getBackstageIdentity();
    return ownershipEntityRefs.filter(r => r.startsWith('group:'));
  }, [identity]);
  const [framework, setFramework] = useState<string>();
  const [scope, setScope] = useState('organisation');
  const [download, setDownload] = useState<{ busy: boolean; message?: string }>(
    {
      busy: false,
    },
  );
  useEffect(() => {
    if (!framework && frameworks.value?.items.length) {
      setFramework(
        frameworks.value.items.find(f => f.id === 'soc2')?.id ??
          frameworks.value.items[0].id,
      );
    }
  }, [framework, frameworks.value]);
  const status = useAsync(async () => {
    if (!framework) return undefined;
    return api.getComplianceStatus(
      framework,
      scope === 'organisation' ? {} : { groupRef: scope },
    );
  }, [api, framework, scope]);

  const downloadEvidence = async () => {
    if (!framework) return;
    setDownload({ busy: true });
    try {
      const { blob, fileName } = await api.downloadComplianceEvidence(
        framework,
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
      setDownload({
        busy: false,
        message: `Downloaded ${fileName}: evidence.json, evidence.csv and MANIFEST.sha256 (check it with sha256sum -c MANIFEST.sha256).`,
      });
    } catch (e) {
      setDownload({ busy: false, message: (e as Error).message });
    }
  };

  const forbidden =
    (status.error as { statusCode?: number } | undefined)?.statusCode === 403;

  return (
    <Page themeId="tool">
      <Header
        title="Compliance"
        subtitle="Controls of SOC 2 and HITRUST CSF, measured every day by the scorecard checks"
      />
      <Content>
        <Paper
          style={{
            padding: 16,
            marginBottom: 24,
            display: 'flex',
            flexWrap: 'wrap',
            gap: 16,
          }}
        >
          <TextField
            id="compliance-framework"
            select
            label="Framework"
            variant="outlined"
            size="small"
            value={framework ?? ''}
            onChange={e => setFramework(e.target.value)}
            style={{ minWidth: 260 }}
          >
            {(frameworks.value?.items ?? []).map(f => (
              <MenuItem key={f.id} value={f.id}>
                {f.title}
                {f.version ? ` (${f.version})` : ''}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="compliance-scope"
            select
            label="Over"
            variant="outlined"
            size="small"
            value={scope}
            onChange={e => setScope(e.target.value)}
            style={{ minWidth: 260 }}
          >
            <MenuItem value="organisation">The whole organisation</MenuItem>
            {(groups.value ?? []).map(ref => (
              <MenuItem key={ref} value={ref}>
                {ref.replace(/^group:default\//, '')}
              </MenuItem>
            ))}
          </TextField>
          <Button
            variant="outlined"
            onClick={downloadEvidence}
            disabled={!framework || download.busy}
          >
            {download.busy ? 'Preparing the evidence…' : 'Download evidence'}
          </Button>
        </Paper>
        {download.message && (
          <Typography variant="body2" role="status" paragraph>
            {download.message}
          </Typography>
        )}
        {(status.loading || frameworks.loading) && <Progress />}
        {frameworks.error && (
          <ErrorPanel
            title="Could not load the frameworks"
            error={frameworks.error}
          />
        )}
        {forbidden && (
          <EmptyState
            missing="info"
            title="The organisation's compliance is for the security team"
            description="Choose one of your teams under Over to see how its services meet each control."
          />
        )}
        {status.error && !forbidden && (
          <ErrorPanel
            title="Could not load the controls"
            error={status.error}
          />
        )}
        {status.value && (
          <InfoCard
            title={`${status.value.framework.title}${
              status.value.framework.version
                ? ` ${status.value.framework.version}`
                : ''
            }`}
            subheader={`Over ${
              status.value.scope === 'organisation'
                ? 'the whole organisation'
                : status.value.scope
            }: the share of services passing every check a control maps to, on the latest evaluated day, and the last 30 days`}
            noPadding
          >
            {status.value.controls.every(c => c.entities === 0) ? (
              <EmptyState
                missing="data"
                title="No results yet"
                description="The scorecard checks run every six hours; the security team can evaluate them now on the Scorecards page."
              />
            ) : (
              <Table size="small" aria-label="Controls">
                <TableHead>
                  <TableRow>
                    <TableCell>Control</TableCell>
                    <TableCell>Checks</TableCell>
                    <TableCell>Passing</TableCell>
                    <TableCell>Last 30 days</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {status.value.controls.map(control => (
                    <TableRow key={control.id}>
                      <TableCell>
                        <Typography variant="body2">
                          <strong>{control.id}</strong> {control.title}
                        </Typography>
                        <Typography variant="caption" color="textSecondary">
                          {control.description}
                        </Typography>
                      </TableCell>
                      <TableCell>
                        <Typography variant="body2">
                          {control.checks.join(', ')}
                        </Typography>
                      </TableCell>
                      <TableCell>
                        <RateBar control={control} />
                      </TableCell>
                      <TableCell>
                        <Sparkline control={control} />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </InfoCard>
        )}
      </Content>
    </Page>
  );
}
