import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { ErrorPanel, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FindingStatus, Severity } from '@portal/plugin-secops-common';
import {
  Box,
  Button,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';
import { FindingRow } from './FindingRow';

const PAGE_SIZE = 20;

/**
 * An entity's findings, page by page: open or fixed, searched, of the
 * severities chosen on the tiles above; reloaded when `version` changes.
 */
export function FindingsCard({
  entityRef,
  severities,
  slug,
  version,
  onChanged,
}: {
  entityRef: string;
  severities: Severity[];
  /** The entity's GitHub repository (github.com/project-slug), if it names one. */
  slug?: string;
  version: number;
  onChanged: () => void;
}) {
  const api = useApi(secopsApiRef);
  const [status, setStatus] = useState<FindingStatus>('open');
  const [search, setSearch] = useState('');
  const [exploited, setExploited] = useState<'all' | 'known'>('all');
  const [sort, setSort] = useState<'severity' | 'epss'>('severity');
  const [debouncedSearch, setDebouncedSearch] = useState('');
  useDebounce(() => setDebouncedSearch(search.trim()), 300, [search]);
  // Cursors of the pages seen so far: going back pops one.
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  useEffect(
    () => setCursors([undefined]),
    [severities, status, debouncedSearch, exploited, sort],
  );
  const cursor = cursors[cursors.length - 1];
  const findings = useAsync(
    () =>
      api.listFindings(entityRef, {
        status,
        severity: severities,
        search: debouncedSearch || undefined,
        knownExploited: exploited === 'known' ? true : undefined,
        sort,
        limit: PAGE_SIZE,
        cursor,
      }),
    [
      api,
      entityRef,
      status,
      severities,
      debouncedSearch,
      exploited,
      sort,
      cursor,
      version,
    ],
  );

  return (
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
          id="secops-findings-exploited"
          select
          size="small"
          variant="outlined"
          label="Exploitation"
          value={exploited}
          onChange={e => setExploited(e.target.value as 'all' | 'known')}
        >
          <MenuItem value="all">All findings</MenuItem>
          <MenuItem value="known">Known exploited only</MenuItem>
        </TextField>
        <TextField
          id="secops-findings-sort"
          select
          size="small"
          variant="outlined"
          label="Order"
          value={sort}
          onChange={e => setSort(e.target.value as 'severity' | 'epss')}
        >
          <MenuItem value="severity">Worst severity first</MenuItem>
          <MenuItem value="epss">Highest EPSS first</MenuItem>
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
                <TableCell>
                  <abbr title="Exploit Prediction Scoring System: how likely exploitation is in the next 30 days, as a percentile of all CVEs">
                    EPSS
                  </abbr>
                </TableCell>
                <TableCell>{status === 'open' ? 'Due' : 'Fixed'}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {findings.value.items.map(finding => (
                <FindingRow
                  key={finding.id}
                  finding={finding}
                  onChanged={onChanged}
                  slug={slug}
                />
              ))}
              {findings.value.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={6}>
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
  );
}
