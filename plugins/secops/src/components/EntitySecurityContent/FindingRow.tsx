import { useState } from 'react';
import { Link } from '@backstage/core-components';
import { Finding, FindingTicket } from '@portal/plugin-secops-common';
import {
  Box,
  Button,
  Checkbox,
  Chip,
  Collapse,
  IconButton,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import KeyboardArrowDown from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUp from '@material-ui/icons/KeyboardArrowUp';
import { SeverityChip } from '../severityViews';
import { ExemptionForm } from './ExemptionForm';
import { CATEGORY_LABELS, isHttpUrl } from './severity';

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

const RETEST_LABELS = {
  'not-retested': 'not retested yet',
  'still-present': 'still present at the last retest',
  fixed: 'fixed (the last retest no longer found it)',
} as const;

/** Who found a pen-test finding, in which engagement, and its retest. */
export function pentestSummary(finding: Finding): string | undefined {
  const pentest = finding.pentest;
  if (!pentest) return undefined;
  const by = pentest.tester ? ` by ${pentest.tester}` : '';
  const engagement = pentest.engagement ? ` (${pentest.engagement})` : '';
  return `Pen test${by}${engagement}: ${RETEST_LABELS[pentest.retestStatus]}`;
}

/**
 * The GitHub issue of a finding and its state. A closed issue does not fix
 * the finding, and the line says so.
 */
export function TicketLine({ ticket }: { ticket: FindingTicket }) {
  const label = `GitHub issue #${ticket.number}`;
  return (
    <Typography variant="caption" display="block">
      {isHttpUrl(ticket.url) ? <Link to={ticket.url}>{label}</Link> : label}
      {ticket.state === 'open'
        ? ' · open'
        : ` · closed${
            ticket.closedAt ? ` on ${ticket.closedAt.slice(0, 10)}` : ''
          }: the finding stays open until a scan no longer reports it`}
    </Typography>
  );
}

/** Dark red on white text: 6.5:1, readable at the chip's small size. */
export const KNOWN_EXPLOITED = { backgroundColor: '#b91c1c', color: '#ffffff' };

/** An EPSS percentile (0 to 1) as people read it: "top 1%", "62nd percentile". */
export function epssLabel(percentile: number): string {
  const pct = percentile * 100;
  if (pct >= 99) return `top ${Math.max(0.1, 100 - pct).toFixed(1)}%`;
  const n = Math.floor(pct);
  const suffix =
    n % 100 >= 11 && n % 100 <= 13
      ? 'th'
      : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix} percentile`;
}

/** "Known exploited": the CVE is in CISA's KEV catalog. */
export function KnownExploitedChip({ finding }: { finding: Finding }) {
  if (!finding.knownExploited) return null;
  const since = finding.kev?.dateAdded;
  const ransomware = finding.kev?.knownRansomwareCampaignUse
    ? ', used in ransomware campaigns'
    : '';
  return (
    <Chip
      size="small"
      label="Known exploited"
      style={KNOWN_EXPLOITED}
      title={`In CISA's Known Exploited Vulnerabilities catalog${
        since ? ` since ${since}` : ''
      }${ransomware}`}
      aria-label={`Known exploited: in CISA's Known Exploited Vulnerabilities catalog${
        since ? ` since ${since}` : ''
      }${ransomware}`}
    />
  );
}

/**
 * One finding of the table: its severity, title, package or location and
 * due date, and, unfolded, what it is, how to fix it and its exemption.
 */
export function FindingRow({
  finding,
  onChanged,
  slug,
  assigneeName,
  selected,
  onSelect,
}: {
  finding: Finding;
  slug?: string;
  onChanged: () => void;
  /** Who the finding is assigned to, by name. */
  assigneeName?: string;
  /** Whether it is selected; undefined when findings are not selectable. */
  selected?: boolean;
  onSelect?: (selected: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const [asking, setAsking] = useState(false);
  return (
    <>
      <TableRow hover selected={!!selected}>
        <TableCell padding="checkbox">
          {selected !== undefined && (
            <Checkbox
              size="small"
              checked={selected}
              onChange={e => onSelect?.(e.target.checked)}
              inputProps={{ 'aria-label': `Select ${finding.title}` }}
            />
          )}
        </TableCell>
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
          {finding.pentest && (
            <Typography variant="caption" display="block">
              {pentestSummary(finding)}
            </Typography>
          )}
          {finding.ticket && <TicketLine ticket={finding.ticket} />}
          {finding.knownExploited && (
            <Box mt={0.5}>
              <KnownExploitedChip finding={finding} />
            </Box>
          )}
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
          {finding.epss ? (
            <Typography
              variant="body2"
              title={`EPSS ${finding.epss.score} (${epssLabel(
                finding.epss.percentile,
              )} of all CVEs)`}
            >
              {epssLabel(finding.epss.percentile)}
            </Typography>
          ) : (
            <Typography variant="body2" color="textSecondary">
              —
            </Typography>
          )}
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
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          <Typography
            variant="body2"
            color={assigneeName ? 'textPrimary' : 'textSecondary'}
          >
            {assigneeName ?? 'Unassigned'}
          </Typography>
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={8} style={{ paddingTop: 0, paddingBottom: 0 }}>
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
              {finding.kev && (
                <Typography variant="body2">
                  Known exploited ({finding.kev.vulnerabilityName}): in CISA's
                  catalog since {finding.kev.dateAdded}
                  {finding.kev.dueDate
                    ? `, federal remediation due ${finding.kev.dueDate}`
                    : ''}
                  {finding.kev.knownRansomwareCampaignUse
                    ? '; used in ransomware campaigns'
                    : ''}
                  .
                </Typography>
              )}
              {finding.epss && (
                <Typography variant="body2">
                  EPSS {finding.epss.score}:{' '}
                  {epssLabel(finding.epss.percentile)} of CVEs by likelihood of
                  exploitation in the next 30 days.
                </Typography>
              )}
              {isHttpUrl(finding.helpUrl) && (
                <Link to={finding.helpUrl}>How to fix it</Link>
              )}
              {finding.assignee && finding.assignedAt && (
                <Typography variant="body2">
                  Assigned to {assigneeName ?? finding.assignee}
                  {finding.assignedBy
                    ? ` by ${finding.assignedBy}`
                    : ''} on {finding.assignedAt.slice(0, 10)}.
                </Typography>
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
