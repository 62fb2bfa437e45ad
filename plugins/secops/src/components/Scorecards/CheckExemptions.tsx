import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';

const DAY = 86_400_000;

/** The owners ask to exempt the entity from a failing check. */
export function AskCheckExemption({
  entityRef,
  checkId,
  title,
  onDone,
}: {
  entityRef: string;
  checkId: string;
  title: string;
  onDone: () => void;
}) {
  const api = useApi(secopsApiRef);
  const [open, setOpen] = useState(false);
  const [justification, setJustification] = useState('');
  const [until, setUntil] = useState(
    new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <Button size="small" onClick={() => setOpen(true)}>
        Ask for an exemption
      </Button>
    );
  }
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.requestCheckExemption(entityRef, {
        checkId,
        justification,
        expiresAt: new Date(`${until}T23:59:59Z`).toISOString(),
      });
      setOpen(false);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} my={1}>
      <TextField
        id={`exempt-${checkId}-why`}
        label={`Why exempt from "${title}"`}
        size="small"
        variant="outlined"
        value={justification}
        onChange={e => setJustification(e.target.value)}
        style={{ minWidth: 260 }}
      />
      <TextField
        id={`exempt-${checkId}-until`}
        label="Until"
        type="date"
        size="small"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        value={until}
        onChange={e => setUntil(e.target.value)}
      />
      <Button
        size="small"
        variant="outlined"
        disabled={busy || justification.trim().length < 10}
        onClick={submit}
      >
        Ask the security team
      </Button>
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
    </Box>
  );
}

/** The entity's check exemptions; the security team decides the pending ones. */
export function CheckExemptionList({
  entityRef,
  version,
  onDecided,
}: {
  entityRef: string;
  version: number;
  onDecided: () => void;
}) {
  const api = useApi(secopsApiRef);
  const list = useAsyncRetry(
    () => api.listCheckExemptions(entityRef),
    [api, entityRef, version],
  );
  const [message, setMessage] = useState<string>();
  if (!list.value?.items.length) return null;
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    setMessage(undefined);
    try {
      await api.decideCheckExemption(id, { decision });
      list.retry();
      onDecided();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h3">
        Check exemptions
      </Typography>
      {list.value.items.map(e => (
        <Box key={e.id} my={1}>
          <Typography variant="body2">
            <strong>{e.checkId}</strong> until {e.expiresAt.slice(0, 10)}:{' '}
            {e.justification} ({e.requestedBy.replace(/^user:default\//, '')},{' '}
            {e.active ? 'approved' : e.status})
          </Typography>
          {e.status === 'pending' && (
            <Box style={{ display: 'flex', gap: 8 }}>
              <Button size="small" onClick={() => decide(e.id, 'approve')}>
                Approve
              </Button>
              <Button size="small" onClick={() => decide(e.id, 'reject')}>
                Reject
              </Button>
            </Box>
          )}
        </Box>
      ))}
      {message && (
        <Typography variant="body2" role="alert" color="error">
          {message}
        </Typography>
      )}
    </Box>
  );
}
