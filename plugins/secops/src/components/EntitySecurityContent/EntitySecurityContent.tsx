import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Finding,
  FindingStatus,
  Severity,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import {
  Box,
  Button,
  Chip,
  Collapse,
  Grid,
  IconButton,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import KeyboardArrowDown from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUp from '@material-ui/icons/KeyboardArrowUp';
import { secopsApiRef } from '../../api/SecopsClient';
import { CATEGORY_LABELS, isHttpUrl, SEVERITY_COLORS } from './severity';
import { GateCard } from './GateCard';
import { SeverityChip } from '../severityViews';
import { TrendCard } from '../TrendChart';
import { ExemptionForm } from './ExemptionForm';
import { ExemptionsCard } from './ExemptionsCard';

/** Read by screen readers, not shown. */
const VISUALLY_HIDDEN: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

const PAGE_SIZE = 20;

function SeverityTiles(props: {
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

/**
 * Where the finding is in the repository, on GitHub, when the entity names
 * its repository (github.com/project-slug) and the path is a repository path.
 */
export function sourceUrl(finding: Finding, slug?: string): string | undefined {
  const path = finding.locationPath;
  if (!slug || !/^[\w.-]+\/[\w.-]+$/.test(slug) || !path) return undefined;
  if (path.startsWith('/') || path.includes('..') || /^[a-z]+:/i.test(path)) {
    return undefined;
  }
  const line = finding.locationLine ? `#L${finding.locationLine}` : '';
  return `https://github.com/${slug}/blob/HEAD/${path
    .split('/')
    .map(encodeURIComponent)
    .join('/')}${line}`;
}

function where(finding: Finding, slug?: string) {
  if (isHttpUrl(finding.url)) {
    return <Link to={finding.url}>{finding.url}</Link>;
  }
  if (finding.locationPath) {
    const text = (
      <code>
        {finding.locationPath}
        {finding.locationLine ? `:${finding.locationLine}` : ''}
      </code>
    );
    const href = sourceUrl(finding, slug);
    return href ? <Link to={href}>{text}</Link> : text;
  }
  return null;
}

function FindingRow({
  finding,
  onChanged,
  slug,
}: {
  finding: Finding;
  slug?: string;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [asking, setAsking] = useState(false);
  return (
    <>
      <TableRow hover>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={open ? 'Hide details' : 'Show details'}
            onClick={() => setOpen(!open)}
          >
            {open ? <KeyboardArrowUp /> : <KeyboardArrowDown />}
          </IconButton>
        </TableCell>
        <TableCell>
          <SeverityChip severity={finding.severity} />
        </TableCell>
        <TableCell>
          <Typography variant="body2">{finding.title}</Typography>
          <Typography variant="caption" color="textSecondary">
            {finding.ruleId} · {CATEGORY_LABELS[finding.category]} ·{' '}
            {finding.tool}
          </Typography>
        </TableCell>
        <TableCell>
          {finding.packageName && (
            <Typography variant="body2">
              {finding.packageName} {finding.packageVersion}
              {finding.fixedVersion && (
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                >
                  fixed in {finding.fixedVersion}
                </Typography>
              )}
            </Typography>
          )}
          {where(finding, slug)}
        </TableCell>
        <TableCell>
          {finding.status === 'fixed' ? (
            <Typography variant="body2">
              fixed {finding.fixedAt?.slice(0, 10)}
            </Typography>
          ) : (
            <Typography
              variant="body2"
              style={
                finding.overdue ? { color: '#b91c1c', fontWeight: 600 } : {}
              }
            >
              {finding.dueAt ? finding.dueAt.slice(0, 10) : '—'}
              {finding.overdue ? ' (overdue)' : ''}
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary">
            since {finding.firstSeenAt.slice(0, 10)}
          </Typography>
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={5} style={{ paddingTop: 0, paddingBottom: 0 }}>
          <Collapse in={open} unmountOnExit>
            <Box py={2}>
              {finding.description && (
                <Typography
                  variant="body2"
                  paragraph
                  style={{ whiteSpace: 'pre-wrap' }}
                >
                  {finding.description.slice(0, 2000)}
                </Typography>
              )}
              {finding.aliases.length > 0 && (
                <Typography variant="body2">
                  Also known as: {finding.aliases.join(', ')}
                </Typography>
              )}
              {finding.cvssScore !== undefined && (
                <Typography variant="body2">
                  CVSS {finding.cvssScore}
                </Typography>
              )}
              {isHttpUrl(finding.helpUrl) && (
                <Link to={finding.helpUrl}>How to fix it</Link>
              )}
              <Box mt={2}>
                {finding.exemptedUntil && (
                  <Typography variant="body2">
                    Exempted until {finding.exemptedUntil.slice(0, 10)}: it does
                    not count in the gate until then.
                  </Typography>
                )}
                {finding.exemptionPending && (
                  <Typography variant="body2">
                    An exemption is waiting for the security team.
                  </Typography>
                )}
                {finding.status === 'open' &&
                  !finding.exemptedUntil &&
                  !finding.exemptionPending &&
                  (asking ? (
                    <ExemptionForm
                      findingId={finding.id}
                      onDone={() => {
                        setAsking(false);
                        onChanged();
                      }}
                    />
                  ) : (
                    <Button
                      size="small"
                      variant="outlined"
                      onClick={() => setAsking(true)}
                    >
                      Ask for an exemption
                    </Button>
                  ))}
              </Box>
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}

/** The entity page's Security tab. */
export function EntitySecurityContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(secopsApiRef);

  const [severities, setSeverities] = useState<Severity[]>([]);
  const [status, setStatus] = useState<FindingStatus>('open');
  const [search, setSearch] = useState('');
  const [debouncedSearch, setDebouncedSearch] = useState('');
  useDebounce(() => setDebouncedSearch(search.trim()), 300, [search]);
  // Cursors of the pages seen so far: going back pops one.
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  useEffect(
    () => setCursors([undefined]),
    [severities, status, debouncedSearch],
  );
  const cursor = cursors[cursors.length - 1];

  // Bumped after a change (an exemption asked or decided) to reload.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion(v => v + 1);
  const summary = useAsync(() => api.getSummary(entityRef), [api, entityRef]);
  const gate = useAsync(
    () => api.getGate(entityRef),
    [api, entityRef, version],
  );
  const exemptions = useAsync(
    () => api.listExemptions(entityRef),
    [api, entityRef, version],
  );
  const findings = useAsync(
    () =>
      api.listFindings(entityRef, {
        status,
        severity: severities,
        search: debouncedSearch || undefined,
        limit: PAGE_SIZE,
        cursor,
      }),
    [api, entityRef, status, severities, debouncedSearch, cursor, version],
  );

  if (summary.loading) {
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
  if (!counts.lastScanAt) {
    return (
      <EmptyState
        missing="data"
        title="No security scans yet"
        description={`No pipeline has uploaded a scanner report for ${entityRef}. The golden-path pipeline uploads SAST, SCA, secret and DAST reports on every build; to upload one by hand, POST it to /api/secops/reports?entityRef=${entityRef}&tool=<tool> with a Backstage token (see the portal docs, "Security findings").`}
      />
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
      <Grid item xs={12}>
        <InfoCard
          title={`${totalOpen} open findings`}
          subheader={`Last scan ${new Date(
            counts.lastScanAt,
          ).toLocaleString()} · ${counts.overdue} overdue · ${
            counts.fixed
          } fixed so far`}
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
                label={`${CATEGORY_LABELS[category] ?? category}: ${n}`}
              />
            ))}
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
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
        <InfoCard title="Findings" noPadding>
          <Box display="flex" p={2} style={{ gap: 16 }}>
            <TextField
              id="secops-findings-status"
              select
              size="small"
              variant="outlined"
              label="Status"
              value={status}
              onChange={e => setStatus(e.target.value as FindingStatus)}
            >
              <MenuItem value="open">Open</MenuItem>
              <MenuItem value="fixed">Fixed</MenuItem>
            </TextField>
            <TextField
              id="secops-findings-search"
              size="small"
              variant="outlined"
              label="Search CVE, rule, package or file"
              value={search}
              onChange={e => setSearch(e.target.value)}
              style={{ minWidth: 320 }}
            />
          </Box>
          {findings.error && (
            <ErrorPanel
              title="Could not load the findings"
              error={findings.error}
            />
          )}
          {findings.loading && <Progress />}
          {findings.value && (
            <>
              <Table size="small" aria-label="Findings">
                <TableHead>
                  <TableRow>
                    <TableCell />
                    <TableCell>Severity</TableCell>
                    <TableCell>Finding</TableCell>
                    <TableCell>Package or location</TableCell>
                    <TableCell>{status === 'open' ? 'Due' : 'Fixed'}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {findings.value.items.map(finding => (
                    <FindingRow
                      key={finding.id}
                      finding={finding}
                      onChanged={reload}
                      slug={
                        entity.metadata.annotations?.['github.com/project-slug']
                      }
                    />
                  ))}
                  {findings.value.items.length === 0 && (
                    <TableRow>
                      <TableCell colSpan={5}>
                        <Typography align="center" color="textSecondary">
                          Nothing matches these filters.
                        </Typography>
                      </TableCell>
                    </TableRow>
                  )}
                </TableBody>
              </Table>
              <Box
                display="flex"
                alignItems="center"
                justifyContent="flex-end"
                p={2}
                style={{ gap: 16 }}
              >
                <Typography variant="body2" color="textSecondary">
                  {findings.value.totalCount} findings · page {cursors.length}
                </Typography>
                <Button
                  disabled={cursors.length < 2}
                  onClick={() => setCursors(cursors.slice(0, -1))}
                >
                  Previous
                </Button>
                <Button
                  disabled={!findings.value.nextCursor}
                  onClick={() =>
                    setCursors([...cursors, findings.value!.nextCursor])
                  }
                >
                  Next
                </Button>
              </Box>
            </>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
