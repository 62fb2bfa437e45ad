import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  entitySignalChannel,
  FindingCategory,
  Severity,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { Box, Chip, Grid } from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';
import { TrendCard } from '../TrendChart';
import { ExemptionsCard } from './ExemptionsCard';
import { FindingsCard } from './FindingsCard';
import { GateCard } from './GateCard';
import { CATEGORY_LABELS } from './severity';
import { DastExposureWarning } from './DastExposureWarning';
import { ScorecardCard } from '../Scorecards/ScorecardCard';
import { SeverityTiles } from './SeverityTiles';

/** The entity page's Security tab. */
export function EntitySecurityContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(secopsApiRef);

  const [severities, setSeverities] = useState<Severity[]>([]);

  // Bumped after a change (an exemption asked or decided here, or a scan,
  // assignment or exemption anywhere, which the backend signals) to reload.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion(v => v + 1);
  const { lastSignal } = useSignal(entitySignalChannel(entityRef));
  useEffect(() => {
    if (lastSignal) setVersion(v => v + 1);
  }, [lastSignal]);
  const summary = useAsync(
    () => api.getSummary(entityRef),
    [api, entityRef, version],
  );
  const gate = useAsync(
    () => api.getGate(entityRef),
    [api, entityRef, version],
  );
  const exemptions = useAsync(
    () => api.listExemptions(entityRef),
    [api, entityRef, version],
  );
  // A reload keeps what is shown until the new figures are in.
  if (summary.loading && !summary.value) {
    return <Progress />;
  }
  if (summary.error) {
    if ((summary.error as { statusCode?: number }).statusCode === 403) {
      return (
        <EmptyState
          missing="info"
          title="Security findings are private to their owners"
          description={`The findings of ${entityRef} are visible to its owners${
            entity.spec?.owner ? ` (${entity.spec.owner})` : ''
          }, the groups above them and the security team.`}
        />
      );
    }
    return (
      <ErrorPanel
        title="Could not load security findings"
        error={summary.error}
      />
    );
  }
  const counts = summary.value!;
  const exposureWarning = (
    <DastExposureWarning exposure={counts.exposure} entityRef={entityRef} />
  );
  if (!counts.lastScanAt) {
    return (
      <>
        {exposureWarning}
        <EmptyState
          missing="data"
          title="No security scans yet"
          description={`No pipeline has uploaded a scanner report for ${entityRef}. The golden-path pipeline uploads SAST, SCA, secret and DAST reports on every build; to upload one by hand, POST it to /api/secops/reports?entityRef=${entityRef}&tool=<tool> with a Backstage token (see the portal docs, "Security findings").`}
        />
      </>
    );
  }

  const toggle = (severity: Severity) =>
    setSeverities(current =>
      current.includes(severity)
        ? current.filter(s => s !== severity)
        : [...current, severity],
    );
  const totalOpen = SEVERITIES.reduce((n, s) => n + counts.open[s], 0);

  return (
    <Grid container spacing={3}>
      {counts.exposure?.dastMissing && (
        <Grid item xs={12}>
          {exposureWarning}
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard
          title={`${totalOpen} open findings`}
          subheader={`Last scan ${new Date(
            counts.lastScanAt,
          ).toLocaleString()} · ${counts.overdue} overdue · ${
            counts.knownExploited
          } known exploited · ${counts.fixed} fixed so far`}
        >
          <SeverityTiles
            open={counts.open}
            selected={severities}
            onToggle={toggle}
          />
          <Box mt={2} display="flex" flexWrap="wrap" style={{ gap: 8 }}>
            {Object.entries(counts.byCategory).map(([category, n]) => (
              <Chip
                key={category}
                variant="outlined"
                label={`${
                  CATEGORY_LABELS[category as FindingCategory] ?? category
                }: ${n}`}
              />
            ))}
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <ScorecardCard entityRef={entityRef} />
      </Grid>
      <Grid item xs={12} md={6}>
        <TrendCard entityRef={entityRef} />
      </Grid>
      {gate.value && (
        <Grid item xs={12} md={6}>
          <GateCard status={gate.value} />
        </Grid>
      )}
      {exemptions.value && (
        <Grid item xs={12} md={6}>
          <ExemptionsCard
            exemptions={exemptions.value.items}
            onChange={reload}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <FindingsCard
          entityRef={entityRef}
          severities={severities}
          slug={entity.metadata.annotations?.['github.com/project-slug']}
          version={version}
          onChanged={reload}
        />
      </Grid>
    </Grid>
  );
}
