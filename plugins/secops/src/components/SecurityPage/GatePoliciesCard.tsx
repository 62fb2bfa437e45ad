/*
 * The gate policies, for the security team to change: the policies that
 * apply now (and who changed them last, and why), a form to edit them, the
 * what-if preview of a change across the organisation, which must be seen
 * before it can be saved, and the versions saved so far.
 */
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ErrorPanel, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  IconButton,
  MenuItem,
  Paper,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { ResponseError } from '@backstage/errors';
import {
  GatePolicy,
  GatePolicyPreview,
  GateRule,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';

const MATCH_FIELDS = ['kind', 'type', 'lifecycle', 'tags', 'system'] as const;

/** A policy as the form edits it: match values as comma-separated text. */
interface DraftPolicy {
  name: string;
  match: Record<(typeof MATCH_FIELDS)[number], string>;
  rules: Array<{
    severity: GateRule['severity'];
    maxOpen: string;
    maxAgeDays: string;
  }>;
}

const toDraft = (policy: GatePolicy): DraftPolicy => ({
  name: policy.name,
  match: Object.fromEntries(
    MATCH_FIELDS.map(field => [field, (policy.match[field] ?? []).join(', ')]),
  ) as DraftPolicy['match'],
  rules: policy.rules.map(rule => ({
    severity: rule.severity,
    maxOpen: String(rule.maxOpen),
    maxAgeDays: rule.maxAgeDays ? String(rule.maxAgeDays) : '',
  })),
});

const fromDraft = (draft: DraftPolicy): GatePolicy => ({
  name: draft.name,
  match: Object.fromEntries(
    MATCH_FIELDS.map(field => [
      field,
      draft.match[field]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean),
    ]).filter(([, values]) => values.length),
  ),
  rules: draft.rules.map(rule => ({
    severity: rule.severity,
    maxOpen: Number(rule.maxOpen || 0),
    ...(rule.maxAgeDays ? { maxAgeDays: Number(rule.maxAgeDays) } : {}),
  })),
});

const reasonOf = (error: Error) =>
  error instanceof ResponseError
    ? error.body?.error?.message || error.message
    : error.message;

/** The what-if of a change: counts, then who would newly fail or pass. */
function PreviewResult({ preview }: { preview: GatePolicyPreview }) {
  const list = (
    title: string,
    items: GatePolicyPreview['newlyFailing'],
    count: number,
  ) => (
    <Box mt={1}>
      <Typography variant="subtitle2" component="h4">
        {title} ({count})
      </Typography>
      {items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          None.
        </Typography>
      ) : (
        <ul style={{ margin: 0, paddingLeft: 20 }}>
          {items.map(item => (
            <li key={item.entityRef}>
              <EntityRefLink entityRef={item.entityRef} />{' '}
              <Typography variant="caption" color="textSecondary">
                gate {item.gateBefore} → {item.gateAfter}
              </Typography>
            </li>
          ))}
          {count > items.length && <li>… and {count - items.length} more</li>}
        </ul>
      )}
    </Box>
  );
  return (
    <Paper variant="outlined" style={{ padding: 16 }} aria-live="polite">
      <Typography variant="body1">
        {`Of ${preview.entities} entities, ${
          preview.failingBefore === 1
            ? '1 fails its gate now'
            : `${preview.failingBefore} fail their gate now`
        } and ${preview.failingAfter} would with this change.`}
      </Typography>
      {list(
        'Would newly fail',
        preview.newlyFailing,
        preview.newlyFailingCount,
      )}
      {list(
        'Would newly pass',
        preview.newlyPassing,
        preview.newlyPassingCount,
      )}
    </Paper>
  );
}

export function GatePoliciesCard() {
  const api = useApi(secopsApiRef);
  const current = useAsyncRetry(() => api.getGatePolicies(), [api]);
  const history = useAsyncRetry(() => api.listGatePolicyVersions(5), [api]);
  const [draft, setDraft] = useState<DraftPolicy[]>();
  const [preview, setPreview] = useState<GatePolicyPreview>();
  const [previewing, setPreviewing] = useState(false);
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string }>();

  useEffect(() => {
    if (current.value) setDraft(current.value.policies.map(toDraft));
  }, [current.value]);

  /** Any edit makes the preview stale: it must be seen again. */
  const edit = (next: DraftPolicy[]) => {
    setDraft(next);
    setPreview(undefined);
  };
  const editPolicy = (i: number, change: Partial<DraftPolicy>) =>
    edit(draft!.map((p, j) => (j === i ? { ...p, ...change } : p)));

  async function runPreview() {
    setPreviewing(true);
    setMessage(undefined);
    try {
      setPreview(await api.previewGatePolicies(draft!.map(fromDraft)));
    } catch (error) {
      setMessage({ error: true, text: reasonOf(error as Error) });
    } finally {
      setPreviewing(false);
    }
  }

  async function save() {
    setSaving(true);
    setMessage(undefined);
    try {
      const saved = await api.changeGatePolicies({
        policies: draft!.map(fromDraft),
        reason,
        basedOn: current.value!.version,
      });
      setMessage({
        error: false,
        text: `Saved as version ${saved.version}: the gate applies it now.`,
      });
      setReason('');
      setPreview(undefined);
      current.retry();
      history.retry();
    } catch (error) {
      setMessage({ error: true, text: reasonOf(error as Error) });
    } finally {
      setSaving(false);
    }
  }

  if (current.loading && !current.value) {
    return (
      <InfoCard title="Gate policies">
        <Progress />
      </InfoCard>
    );
  }
  if (current.error) {
    return (
      <ErrorPanel
        title="Could not load the gate policies"
        error={current.error}
      />
    );
  }
  const info = current.value!;
  return (
    <InfoCard
      title="Gate policies"
      subheader={
        info.source === 'config'
          ? 'From the configuration (secops.gates) until the security team changes them here. The first policy whose match fits an entity applies.'
          : `Version ${info.version}, by ${info.changedBy}: ${info.reason}. The first policy whose match fits an entity applies.`
      }
    >
      {(draft ?? []).map((policy, i) => (
        <Paper
          key={i}
          variant="outlined"
          component="section"
          aria-label={`Gate policy ${policy.name || i + 1}`}
          style={{ padding: 16, marginBottom: 16 }}
        >
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <TextField
              id={`gate-policy-${i}-name`}
              label="Name"
              value={policy.name}
              onChange={e => editPolicy(i, { name: e.target.value })}
              size="small"
              variant="outlined"
              required
            />
            <Box flexGrow={1} />
            <IconButton
              aria-label={`Remove the policy ${policy.name}`}
              onClick={() => edit(draft!.filter((_, j) => j !== i))}
              disabled={draft!.length === 1}
            >
              <DeleteIcon />
            </IconButton>
          </Box>
          <Typography
            variant="subtitle2"
            component="h4"
            style={{ marginTop: 12 }}
          >
            Applies to (comma-separated; empty matches every entity)
          </Typography>
          <Box display="flex" flexWrap="wrap" style={{ gap: 8, marginTop: 8 }}>
            {MATCH_FIELDS.map(field => (
              <TextField
                key={field}
                id={`gate-policy-${i}-${field}`}
                label={field}
                value={policy.match[field]}
                onChange={e =>
                  editPolicy(i, {
                    match: { ...policy.match, [field]: e.target.value },
                  })
                }
                size="small"
                variant="outlined"
              />
            ))}
          </Box>
          <Typography
            variant="subtitle2"
            component="h4"
            style={{ marginTop: 12 }}
          >
            Rules: at most this many open findings of this severity or worse
          </Typography>
          {policy.rules.map((rule, r) => {
            const setRule = (change: Partial<typeof rule>) =>
              editPolicy(i, {
                rules: policy.rules.map((x, k) =>
                  k === r ? { ...x, ...change } : x,
                ),
              });
            return (
              <Box
                key={r}
                display="flex"
                alignItems="center"
                style={{ gap: 8, marginTop: 8 }}
              >
                <TextField
                  select
                  id={`gate-policy-${i}-rule-${r}-severity`}
                  label="Severity"
                  value={rule.severity}
                  onChange={e =>
                    setRule({
                      severity: e.target.value as GateRule['severity'],
                    })
                  }
                  size="small"
                  variant="outlined"
                  style={{ minWidth: 120 }}
                >
                  {SEVERITIES.map(s => (
                    <MenuItem key={s} value={s}>
                      {s}
                    </MenuItem>
                  ))}
                </TextField>
                <TextField
                  id={`gate-policy-${i}-rule-${r}-max-open`}
                  label="At most open"
                  type="number"
                  value={rule.maxOpen}
                  onChange={e => setRule({ maxOpen: e.target.value })}
                  inputProps={{ min: 0 }}
                  size="small"
                  variant="outlined"
                />
                <TextField
                  id={`gate-policy-${i}-rule-${r}-max-age`}
                  label="Only older than (days)"
                  type="number"
                  value={rule.maxAgeDays}
                  onChange={e => setRule({ maxAgeDays: e.target.value })}
                  inputProps={{ min: 1 }}
                  size="small"
                  variant="outlined"
                />
                <IconButton
                  aria-label={`Remove rule ${r + 1} of ${policy.name}`}
                  onClick={() =>
                    editPolicy(i, {
                      rules: policy.rules.filter((_, k) => k !== r),
                    })
                  }
                  disabled={policy.rules.length === 1}
                >
                  <DeleteIcon />
                </IconButton>
              </Box>
            );
          })}
          <Button
            size="small"
            style={{ marginTop: 8 }}
            onClick={() =>
              editPolicy(i, {
                rules: [
                  ...policy.rules,
                  { severity: 'high', maxOpen: '0', maxAgeDays: '' },
                ],
              })
            }
          >
            Add a rule
          </Button>
        </Paper>
      ))}
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        <Button
          variant="outlined"
          onClick={() =>
            edit([
              ...draft!,
              toDraft({
                name: `policy-${draft!.length + 1}`,
                match: {},
                rules: [{ severity: 'critical', maxOpen: 0 }],
              }),
            ])
          }
        >
          Add a policy
        </Button>
        <Button
          variant="contained"
          color="primary"
          onClick={runPreview}
          disabled={previewing || !draft?.length}
        >
          {previewing ? 'Previewing…' : 'Preview the change'}
        </Button>
      </Box>
      {previewing && <Progress />}
      {preview && (
        <Box mt={2}>
          <PreviewResult preview={preview} />
          <Box display="flex" alignItems="flex-start" mt={2} style={{ gap: 8 }}>
            <TextField
              id="gate-policy-reason"
              label="Why (kept with the version)"
              value={reason}
              onChange={e => setReason(e.target.value)}
              helperText="At least 10 characters"
              size="small"
              variant="outlined"
              fullWidth
              required
            />
            <Button
              variant="contained"
              color="primary"
              onClick={save}
              disabled={saving || reason.trim().length < 10}
            >
              {saving ? 'Saving…' : 'Save'}
            </Button>
          </Box>
        </Box>
      )}
      {!preview && (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ marginTop: 8 }}
        >
          Preview a change to see which entities would newly fail or pass before
          you save it.
        </Typography>
      )}
      {message && (
        <Typography
          variant="body2"
          role={message.error ? 'alert' : 'status'}
          style={{
            marginTop: 8,
            color: message.error ? '#b91c1c' : '#166534',
          }}
        >
          {message.text}
        </Typography>
      )}
      {history.value && history.value.items.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2" component="h4">
            Versions ({history.value.totalCount})
          </Typography>
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {history.value.items.map(v => (
              <li key={v.version}>
                <Typography variant="body2">
                  Version {v.version},{' '}
                  {v.createdAt.slice(0, 16).replace('T', ' ')} by {v.changedBy}:{' '}
                  {v.reason}
                </Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}
    </InfoCard>
  );
}
