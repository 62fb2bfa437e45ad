import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { ErrorPanel, InfoCard, Progress } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { FindingStatus, Severity } from '@portal/plugin-secops-common';
import {
  Box,
  Button,
  Checkbox,
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
import { AssignBar, useTeamMembers } from './AssignBar';
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
  const [assigned, setAssigned] = useState<'anyone' | 'me' | 'none'>('anyone');
  const [selected, setSelected] = useState<string[]>([]);
  // What the last assignment did, shown until the next selection.
  const [notice, setNotice] = useState<string>();
  const identity = useApi(identityApiRef);
  const me = useAsync(
    async () =>
      (await identity.getBackstageIdentity()).userEntityRef.toLowerCase(),
    [identity],
  );
  const { entity } = useEntity();
  const members = useTeamMembers(entity);
  const [debouncedSearch, setDebouncedSearch] = useState('');
  useDebounce(() => setDebouncedSearch(search.trim()), 300, [search]);
  // Cursors of the pages seen so far: going back pops one.
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  useEffect(
    () => setCursors([undefined]),
    [severities, status, debouncedSearch, exploited, sort, assigned],
  );
  const cursor = cursors[cursors.length - 1];
  let assignee: string | undefined;
  if (assigned === 'none') assignee = 'none';
  if (assigned === 'me') assignee = me.value;
  const findings = useAsync(
    () =>
      api.listFindings(entityRef, {
        status,
        severity: severities,
        search: debouncedSearch || undefined,
        knownExploited: exploited === 'known' ? true : undefined,
        sort,
        assignee,
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
      assignee,
      cursor,
      version,
    ],
  );
  // What is selected is of the page shown: another page, filter or reload
  // starts from nothing.
  useEffect(() => setSelected([]), [findings.value]);
  const selectable = status === 'open';
  const pageIds = findings.value?.items.map(f => f.id) ?? [];
  const allSelected =
    pageIds.length > 0 && pageIds.every(id => selected.includes(id));
  const nameOf = (ref?: string) =>
    ref
      ? members.value?.find(m => m.ref === ref)?.name ?? parseName(ref)
      : undefined;

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
          id="secops-findings-assignee"
          select
          size="small"
          variant="outlined"
          label="Assignee"
          value={assigned}
          onChange={e =>
            setAssigned(e.target.value as 'anyone' | 'me' | 'none')
          }
        >
          <MenuItem value="anyone">Anyone</MenuItem>
          <MenuItem value="me">Assigned to me</MenuItem>
          <MenuItem value="none">Unassigned</MenuItem>
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
          {selectable && selected.length > 0 && (
            <AssignBar
              selected={selected}
              members={members.value ?? []}
              slug={slug}
              onDone={message => {
                setNotice(message);
                onChanged();
              }}
            />
          )}
          {notice && selected.length === 0 && (
            <Box px={2} pb={2}>
              <Typography variant="body2" role="status">
                {notice}
              </Typography>
            </Box>
          )}
          <Table size="small" aria-label="Findings">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox">
                  {selectable && pageIds.length > 0 && (
                    <Checkbox
                      size="small"
                      checked={allSelected}
                      indeterminate={selected.length > 0 && !allSelected}
                      onChange={() => setSelected(allSelected ? [] : pageIds)}
                      inputProps={{
                        'aria-label': 'Select every finding of this page',
                      }}
                    />
                  )}
                </TableCell>
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
                <TableCell style={{ whiteSpace: 'nowrap' }}>Assignee</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {findings.value.items.map(finding => (
                <FindingRow
                  key={finding.id}
                  finding={finding}
                  onChanged={onChanged}
                  slug={slug}
                  assigneeName={nameOf(finding.assignee)}
                  selected={
                    selectable ? selected.includes(finding.id) : undefined
                  }
                  onSelect={checked =>
                    setSelected(
                      checked
                        ? [...selected, finding.id]
                        : selected.filter(id => id !== finding.id),
                    )
                  }
                />
              ))}
              {findings.value.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={8}>
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

/** A user entity ref's name, for an assignee the catalog list lacks. */
function parseName(ref: string) {
  return ref.replace(/^user:(default\/)?/, '');
}
