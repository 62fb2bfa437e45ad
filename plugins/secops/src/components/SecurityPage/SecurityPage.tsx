import { useState } from 'react';
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
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Chip,
  Button,
  Grid,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { ExposureList } from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';
import { GatePoliciesCard } from './GatePoliciesCard';
import { openTotal, SeverityBar, SeverityChip } from '../severityViews';
import {
  epssLabel,
  KNOWN_EXPLOITED,
} from '../EntitySecurityContent/FindingRow';

function ExposureSearch() {
  const api = useApi(secopsApiRef);
  const [id, setId] = useState('CVE-2019-1551');
  const [result, setResult] = useState<ExposureList>();
  const [error, setError] = useState<Error>();
  const search = async () => {
    setError(undefined);
    try {
      setResult(await api.findExposure(id.trim()));
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <InfoCard
      title="Who is exposed?"
      subheader="Search an advisory (CVE, GHSA), rule id or package across every service"
    >
      <Box display="flex" style={{ gap: 12 }} mb={2}>
        <TextField
          id="exposure-id"
          label="Advisory, rule id or package"
          variant="outlined"
          size="small"
          value={id}
          onChange={e => setId(e.target.value)}
          onKeyDown={e => e.key === 'Enter' && search()}
        />
        <Button variant="contained" color="primary" onClick={search}>
          Search
        </Button>
      </Box>
      {error && <ErrorPanel title="Search failed" error={error} />}
      {result && result.items.length === 0 && (
        <Typography>Nobody has an open finding for {result.id}.</Typography>
      )}
      {result && result.items.length > 0 && (
        <Table size="small" aria-label="Exposed entities">
          <TableHead>
            <TableRow>
              <TableCell>Entity</TableCell>
              <TableCell>Worst</TableCell>
              <TableCell align="right">Findings</TableCell>
              <TableCell>Packages</TableCell>
              <TableCell>Exploitation</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {result.items.map(item => (
              <TableRow key={item.entityRef}>
                <TableCell>
                  <EntityRefLink entityRef={item.entityRef} />
                </TableCell>
                <TableCell>
                  <SeverityChip severity={item.worst} />
                </TableCell>
                <TableCell align="right">{item.findings}</TableCell>
                <TableCell>{item.packages.join(', ')}</TableCell>
                <TableCell>
                  {item.knownExploited && (
                    <Chip
                      size="small"
                      label="Known exploited"
                      style={KNOWN_EXPLOITED}
                      aria-label="Known exploited: in CISA's Known Exploited Vulnerabilities catalog"
                    />
                  )}
                  {item.epssPercentile !== undefined && (
                    <Typography variant="body2">
                      EPSS {epssLabel(item.epssPercentile)}
                    </Typography>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

/** The SecOps organisation page: every team, the top risks, exposure search. */
export function SecurityPage() {
  const api = useApi(secopsApiRef);
  const teams = useAsync(() => api.listTeams(), [api]);
  const risks = useAsync(() => api.topRisks(10), [api]);

  const forbidden =
    (teams.error as { statusCode?: number } | undefined)?.statusCode === 403;
  const max = Math.max(
    1,
    ...(teams.value?.items ?? []).map(t => openTotal(t.open)),
  );

  return (
    <Page themeId="tool">
      <Header
        title="Security posture"
        subtitle="Every team's open findings, the worst risks, and who is exposed to an advisory"
      />
      <Content>
        {forbidden ? (
          <EmptyState
            missing="info"
            title="This page is for the security team"
            description="Your teams' findings are on the Security tab of your components and of your team's page in the catalog."
          />
        ) : (
          <Grid container spacing={3}>
            <Grid item xs={12} lg={8}>
              <InfoCard title="Teams, worst first" noPadding>
                {teams.loading && <Progress />}
                {teams.error && (
                  <ErrorPanel
                    title="Could not load the teams"
                    error={teams.error}
                  />
                )}
                {teams.value && (
                  <Table
                    size="small"
                    aria-label="Teams"
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    <TableHead>
                      <TableRow>
                        <TableCell>Team</TableCell>
                        <TableCell>Open findings</TableCell>
                        <TableCell align="right">Critical</TableCell>
                        <TableCell align="right">High</TableCell>
                        <TableCell align="right">Overdue</TableCell>
                        <TableCell align="right">Known exploited</TableCell>
                        <TableCell align="right">Scanned</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {teams.value.items.map(team => (
                        <TableRow key={team.groupRef} hover>
                          <TableCell>
                            <EntityRefLink
                              entityRef={team.groupRef}
                              title={team.title}
                            />
                          </TableCell>
                          <TableCell>
                            <SeverityBar
                              open={team.open}
                              label={team.title}
                              max={max}
                              width={260}
                              height={16}
                            />
                          </TableCell>
                          <TableCell align="right">
                            {team.open.critical}
                          </TableCell>
                          <TableCell align="right">{team.open.high}</TableCell>
                          <TableCell align="right">{team.overdue}</TableCell>
                          <TableCell
                            align="right"
                            style={
                              team.knownExploited
                                ? { color: '#b91c1c', fontWeight: 600 }
                                : {}
                            }
                          >
                            {team.knownExploited}
                          </TableCell>
                          <TableCell align="right">
                            {team.scanned} / {team.entities}
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </InfoCard>
            </Grid>
            <Grid item xs={12} lg={4}>
              <ExposureSearch />
            </Grid>
            <Grid item xs={12}>
              <InfoCard
                title="Top risks"
                subheader="The worst open findings across every team, oldest first"
                noPadding
              >
                {risks.loading && <Progress />}
                {risks.value && (
                  <Table size="small" aria-label="Top risks">
                    <TableHead>
                      <TableRow>
                        <TableCell>Severity</TableCell>
                        <TableCell>Finding</TableCell>
                        <TableCell>Entity</TableCell>
                        <TableCell>Open since</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {risks.value.items.map(finding => (
                        <TableRow key={finding.id}>
                          <TableCell>
                            <SeverityChip severity={finding.severity} />
                          </TableCell>
                          <TableCell>
                            <Typography variant="body2">
                              {finding.title}
                            </Typography>
                            <Typography variant="caption" color="textSecondary">
                              {finding.ruleId}
                              {finding.packageName
                                ? ` · ${finding.packageName} ${
                                    finding.packageVersion ?? ''
                                  }`
                                : ''}
                            </Typography>
                          </TableCell>
                          <TableCell>
                            <EntityRefLink entityRef={finding.entityRef} />
                          </TableCell>
                          <TableCell>
                            {finding.firstSeenAt.slice(0, 10)}
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </InfoCard>
            </Grid>
            {teams.value && (
              <Grid item xs={12}>
                <GatePoliciesCard />
              </Grid>
            )}
          </Grid>
        )}
      </Content>
    </Page>
  );
}
