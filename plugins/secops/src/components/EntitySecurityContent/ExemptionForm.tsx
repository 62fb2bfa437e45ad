import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { ResponseError } from '@backstage/errors';
import { secopsApiRef } from '../../api/SecopsClient';

const DAY = 24 * 3600 * 1000;

/** What the backend said was wrong, or the error itself. */
export function message(error: unknown) {
  if (error instanceof ResponseError) return error.body.error.message;
  return (error as Error).message;
}

/** Ask the security team to accept the risk of one finding, until a date. */
export function ExemptionForm(props: {
  findingId: string;
  onDone: () => void;
}) {
  const api = useApi(secopsApiRef);
  const [justification, setJustification] = useState('');
  const [until, setUntil] = useState(
    new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.requestExemption(props.findingId, {
        justification,
        expiresAt: new Date(`${until}T23:59:59Z`).toISOString(),
      });
      props.onDone();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box
      display="flex"
      flexDirection="column"
      style={{ gap: 12, maxWidth: 560 }}
    >
      <TextField
        id={`exemption-why-${props.findingId}`}
        label="Why is this risk acceptable for now?"
        multiline
        minRows={2}
        variant="outlined"
        value={justification}
        onChange={e => setJustification(e.target.value)}
      />
      <TextField
        id={`exemption-until-${props.findingId}`}
        label="Until"
        type="date"
        variant="outlined"
        size="small"
        value={until}
        onChange={e => setUntil(e.target.value)}
        InputLabelProps={{ shrink: true }}
      />
      {error && (
        <Typography variant="body2" style={{ color: '#b91c1c' }}>
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
          Ask security for an exemption
        </Button>
      </Box>
    </Box>
  );
}
