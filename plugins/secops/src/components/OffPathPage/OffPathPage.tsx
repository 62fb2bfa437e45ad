import { useState } from 'react';
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
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  Chip,
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
import { OffPathException } from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';
import { message } from '../EntitySecurityContent/ExemptionForm';

const DAY = 86_400_000;
const PAGE = 20;
type State = OffPathException['state'];

/** Each state's chip: a label and colours with enough contrast. */
const STATES: Record<State, { label: string; color: string; bg: string }> = {
  pending: { label: 'Waiting for security', color: '#713f12', bg: '#fef3c7' },
  active: { label: 'Active', color: '#14532d', bg: '#dcfce7' },
  expired: { label: 'Expired', color: '#374151', bg: '#e5e7eb' },
  rejected: { label: 'Rejected', color: '#7f1d1d', bg: '#fee2e2' },
};

function ends(e: OffPathException, now: number) {
  const days = Math.ceil((Date.parse(e.expiresAt) - now) / DAY);
  const date = e.expiresAt.slice(0, 10);
  if (e.state === 'expired' || days <= 0) return `${date} (ended)`;
  return `${date} (in ${days} ${days === 1 ? 'day' : 'days'})`;
}

/** The owners ask to let one workload of a namespace off the path. */
function RequestForm(props: { onDone: () => void }) {
  const api = useApi(secopsApiRef);
  const [form, setForm] = useState({
    entityRef: '',
    namespace: '',
    workload: '',
    reason: '',
    until: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
  });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const field =
    (key: keyof typeof form) => (e: { target: { value: string } }) =>
      setForm({ ...form, [key]: e.target.value });

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.requestOffPathException({
        entityRef: form.entityRef.trim(),
        namespace: form.namespace.trim(),
        workload: form.workload.trim(),
        reason: form.reason,
        expiresAt: new Date(`${form.until}T23:59:59Z`).toISOString(),
      });
      props.onDone();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 12 }} p={2}>
      <Typography variant="body2">
        The cluster refuses workloads off the golden path. When yours must stray
        for a while, say which, why and until when; someone of the security team
        decides, and the cluster admits it in that namespace until the end.
      </Typography>
      <Box display="flex" style={{ gap: 12 }} flexWrap="wrap">
        <TextField
          id="off-path-entity"
          label="Catalog entity"
          placeholder="component:default/payments-api"
          variant="outlined"
          size="small"
          value={form.entityRef}
          onChange={field('entityRef')}
          style={{ minWidth: 300 }}
        />
        <TextField
          id="off-path-namespace"
          label="Kubernetes namespace"
          variant="outlined"
          size="small"
          value={form.namespace}
          onChange={field('namespace')}
        />
        <TextField
          id="off-path-workload"
          label="Workload name"
          variant="outlined"
          size="small"
          value={form.workload}
          onChange={field('workload')}
        />
        <TextField
          id="off-path-until"
          label="Until"
          type="date"
          variant="outlined"
          size="small"
          value={form.until}
          onChange={field('until')}
          InputLabelProps={{ shrink: true }}
        />
      </Box>
      <TextField
        id="off-path-reason"
        label="Why must it leave the golden path?"
        multiline
        minRows={2}
        variant="outlined"
        value={form.reason}
        onChange={field('reason')}
      />
      {error && (
        <Typography variant="body2" role="alert" style={{ color: '#b91c1c' }}>
          {error}
        </Typography>
      )}
      <Box>
        <Button
          variant="contained"
          color="primary"
          disabled={busy}
          onClick={submit}
        >
          Ask security
        </Button>
      </Box>
    </Box>
  );
}

/**
 * Off the golden path: every workload the cluster admits off the path (or
 * that waits for a decision), whose it is, why, and until when; the
 * owners ask here, the security team decides here.
 */
export function OffPathPage() {
  const api = useApi(secopsApiRef);
  const [state, setState] = useState<State | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [asking, setAsking] = useState(false);
  const [decisionError, setDecisionError] = useState<string>();
  const cursor = cursors[cursors.length - 1];
  const page = useAsyncRetry(
    () =>
      api.listOffPathExceptions({
        state: state || undefined,
        limit: PAGE,
        cursor,
      }),
    [api, state, cursor],
  );
  const now = Date.now();

  const decide = async (id: string, decision: 'approve' | 'reject') => {
    setDecisionError(undefined);
    try {
      await api.decideOffPathException(id, { decision });
      page.retry();
    } catch (e) {
      setDecisionError(message(e));
    }
  };

  return (
    <Page themeId="tool">
      <Header
        title="Off the golden path"
        subtitle="Workloads the cluster admits off the path: whose, why, and until when"
      />
      <Content>
        <Paper
          variant="outlined"
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 16,
            padding: 12,
            marginBottom: 16,
          }}
        >
          <TextField
            id="off-path-state"
            select
            label="State"
            variant="outlined"
            size="small"
            SelectProps={{ displayEmpty: true }}
            InputLabelProps={{ shrink: true }}
            value={state}
            onChange={e => {
              setState(e.target.value as State | '');
              setCursors([]);
            }}
            style={{ minWidth: 200 }}
          >
            <MenuItem value="">All</MenuItem>
            {(Object.keys(STATES) as State[]).map(s => (
              <MenuItem key={s} value={s}>
                {STATES[s].label}
              </MenuItem>
            ))}
          </TextField>
          <Button
            variant="outlined"
            color="primary"
            onClick={() => setAsking(!asking)}
            aria-expanded={asking}
          >
            {asking ? 'Close the request' : 'Ask for an exception'}
          </Button>
        </Paper>
        {asking && (
          <Box mb={2}>
            <InfoCard title="Ask to leave the golden path" noPadding>
              <RequestForm
                onDone={() => {
                  setAsking(false);
                  setCursors([]);
                  page.retry();
                }}
              />
            </InfoCard>
          </Box>
        )}
        {decisionError && (
          <Typography role="alert" style={{ color: '#b91c1c' }}>
            {decisionError}
          </Typography>
        )}
        {page.loading && <Progress />}
        {page.error && (
          <ErrorPanel
            title="Could not load the off-path exceptions"
            error={page.error}
          />
        )}
        {page.value && page.value.totalCount === 0 && (
          <EmptyState
            missing="data"
            title={
              state
                ? `No ${STATES[state].label.toLowerCase()} exceptions`
                : 'Every workload is on the golden path'
            }
            description="A team whose workload must stray asks here, with a reason and an end date; the security team decides, and the cluster admits it in its namespace until then."
          />
        )}
        {page.value && page.value.totalCount > 0 && (
          <InfoCard
            title={`${page.value.totalCount} ${
              page.value.totalCount === 1 ? 'exception' : 'exceptions'
            }`}
            noPadding
          >
            <Table size="small" aria-label="Off-path exceptions">
              <TableHead>
                <TableRow>
                  <TableCell>Workload</TableCell>
                  <TableCell>Entity</TableCell>
                  <TableCell>Owner</TableCell>
                  <TableCell>Reason</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell>Ends</TableCell>
                  <TableCell>Decision</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {page.value.items.map(e => (
                  <TableRow key={e.id}>
                    <TableCell>
                      <Typography variant="body2">{e.workload}</Typography>
                      <Typography variant="caption" color="textSecondary">
                        namespace {e.namespace}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <EntityRefLink entityRef={e.entityRef} />
                    </TableCell>
                    <TableCell>
                      {e.owner ? <EntityRefLink entityRef={e.owner} /> : '—'}
                    </TableCell>
                    <TableCell style={{ maxWidth: 360 }}>{e.reason}</TableCell>
                    <TableCell>
                      <Chip
                        size="small"
                        label={STATES[e.state].label}
                        style={{
                          color: STATES[e.state].color,
                          backgroundColor: STATES[e.state].bg,
                        }}
                      />
                    </TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      {ends(e, now)}
                    </TableCell>
                    <TableCell>
                      {e.state === 'pending' ? (
                        <Box display="flex" style={{ gap: 8 }}>
                          <Button
                            size="small"
                            variant="outlined"
                            onClick={() => decide(e.id, 'approve')}
                            aria-label={`Approve ${e.namespace}/${e.workload}`}
                          >
                            Approve
                          </Button>
                          <Button
                            size="small"
                            onClick={() => decide(e.id, 'reject')}
                            aria-label={`Reject ${e.namespace}/${e.workload}`}
                          >
                            Reject
                          </Button>
                        </Box>
                      ) : (
                        <Typography variant="caption">
                          {e.decidedBy
                            ? `${e.status} by ${e.decidedBy.replace(
                                /^user:default\//,
                                '',
                              )}`
                            : ''}
                        </Typography>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Box display="flex" style={{ gap: 8 }} p={1}>
              <Button
                size="small"
                disabled={!cursors.length}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                Previous page
              </Button>
              <Button
                size="small"
                disabled={!page.value.nextCursor}
                onClick={() =>
                  setCursors([...cursors, page.value!.nextCursor!])
                }
              >
                Next page
              </Button>
            </Box>
          </InfoCard>
        )}
      </Content>
    </Page>
  );
}
