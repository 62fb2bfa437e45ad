import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Campaign, ScorecardLevel } from '@portal/plugin-secops-common';
import { secopsApiRef } from '../../api/SecopsClient';
import { LEVEL_STYLES } from './levels';
import { SCORECARD_LEVEL_ORDER } from './order';

const DAY = 86_400_000;

/** Which services a campaign covers, in words. */
export function coverage(campaign: Campaign): string {
  const parts = Object.entries(campaign.match)
    .filter(([, values]) => values?.length)
    .map(([key, values]) => `${key} ${(values as string[]).join(' or ')}`);
  return parts.length ? `services with ${parts.join(', ')}` : 'every service';
}

function CampaignProgress({ campaign }: { campaign: Campaign }) {
  const share = campaign.total
    ? Math.round((100 * campaign.reached) / campaign.total)
    : 0;
  return (
    <Box mb={2}>
      <Typography variant="body2">
        <strong>{campaign.title}</strong>: {coverage(campaign)} at{' '}
        {LEVEL_STYLES[campaign.targetLevel].label.toLowerCase()} by{' '}
        {campaign.dueDate}
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Box
          role="progressbar"
          aria-label={`${campaign.title}: ${campaign.reached} of ${campaign.total} services there`}
          aria-valuenow={share}
          aria-valuemin={0}
          aria-valuemax={100}
          style={{
            flex: 1,
            height: 10,
            background: '#e5e7eb',
            borderRadius: 5,
            overflow: 'hidden',
          }}
        >
          <Box
            style={{
              width: `${share}%`,
              height: '100%',
              background: campaign.overdue ? '#b91c1c' : '#15803d',
            }}
          />
        </Box>
        <Typography variant="body2" style={{ whiteSpace: 'nowrap' }}>
          {campaign.reached} of {campaign.total}
        </Typography>
      </Box>
      <Typography variant="caption" color="textSecondary">
        {campaign.overdue
          ? 'past its due date'
          : `${campaign.daysLeft} ${
              campaign.daysLeft === 1 ? 'day' : 'days'
            } left`}
      </Typography>
    </Box>
  );
}

/** The security team starts a campaign (the form). */
function CampaignForm({ onDone }: { onDone: (message: string) => void }) {
  const api = useApi(secopsApiRef);
  const [form, setForm] = useState({
    title: '',
    targetLevel: 'silver' as ScorecardLevel,
    lifecycle: 'production',
    dueDate: new Date(Date.now() + 90 * DAY).toISOString().slice(0, 10),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const campaign = await api.createCampaign({
        title: form.title,
        targetLevel: form.targetLevel,
        match: form.lifecycle.trim()
          ? { lifecycle: form.lifecycle.split(',').map(v => v.trim()) }
          : {},
        dueDate: form.dueDate,
      });
      onDone(
        `Started "${campaign.title}": ${campaign.reached} of ${campaign.total} services are there; the owners of the others are notified.`,
      );
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 12 }} mt={2}>
      <TextField
        id="campaign-title"
        label="Campaign"
        size="small"
        variant="outlined"
        value={form.title}
        onChange={e => setForm({ ...form, title: e.target.value })}
        style={{ minWidth: 240 }}
      />
      <TextField
        id="campaign-level"
        select
        label="Level"
        size="small"
        variant="outlined"
        value={form.targetLevel}
        onChange={e =>
          setForm({ ...form, targetLevel: e.target.value as ScorecardLevel })
        }
      >
        {SCORECARD_LEVEL_ORDER.map(level => (
          <MenuItem key={level} value={level}>
            {LEVEL_STYLES[level].label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id="campaign-lifecycle"
        label="Lifecycle (empty: every service)"
        size="small"
        variant="outlined"
        value={form.lifecycle}
        onChange={e => setForm({ ...form, lifecycle: e.target.value })}
      />
      <TextField
        id="campaign-due"
        label="Due"
        type="date"
        size="small"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        value={form.dueDate}
        onChange={e => setForm({ ...form, dueDate: e.target.value })}
      />
      <Button
        variant="contained"
        color="primary"
        disabled={busy || !form.title.trim()}
        onClick={submit}
      >
        Start campaign
      </Button>
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
    </Box>
  );
}

/** Campaigns with their progress; the security team starts new ones. */
export function CampaignsCard() {
  const api = useApi(secopsApiRef);
  const campaigns = useAsyncRetry(() => api.listCampaigns(), [api]);
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<string>();
  return (
    <InfoCard
      title="Campaigns"
      subheader="Targets the security and platform teams set, with a date"
    >
      {campaigns.loading && <Progress />}
      {campaigns.value?.items.length === 0 && (
        <Typography variant="body2" paragraph>
          No campaign yet. The security team can start one, for example every
          production service at silver by the end of the quarter.
        </Typography>
      )}
      {campaigns.value?.items.map(c => (
        <CampaignProgress key={c.id} campaign={c} />
      ))}
      {notice && (
        <Typography variant="body2" role="status" paragraph>
          {notice}
        </Typography>
      )}
      {starting ? (
        <CampaignForm
          onDone={message => {
            setNotice(message);
            setStarting(false);
            campaigns.retry();
          }}
        />
      ) : (
        <Button variant="outlined" onClick={() => setStarting(true)}>
          Start a campaign
        </Button>
      )}
    </InfoCard>
  );
}
