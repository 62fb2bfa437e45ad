import { WarningPanel } from '@backstage/core-components';
import { DastExposure } from '@portal/plugin-secops-common';
import { Typography } from '@material-ui/core';

/**
 * An internet-facing service without a recent dynamic scan: why it counts as
 * internet-facing, when it was last scanned, and how to get a scan in.
 */
export function DastExposureWarning({
  exposure,
  entityRef,
}: {
  exposure?: DastExposure;
  entityRef: string;
}) {
  if (!exposure?.dastMissing) return null;
  const last = exposure.lastDastScanAt
    ? `Its last DAST scan was on ${exposure.lastDastScanAt.slice(0, 10)}.`
    : 'It has never had a DAST scan.';
  return (
    <WarningPanel
      severity="warning"
      defaultExpanded
      title={`Internet-facing without a DAST scan in the last ${exposure.dastMaxAgeDays} days`}
    >
      <Typography variant="body2" paragraph>
        {last} It is internet-facing because of: {exposure.reasons.join('; ')}.
      </Typography>
      <Typography variant="body2">
        The golden-path pipeline runs an OWASP ZAP baseline scan against the
        deployed service; or upload a ZAP report to
        /api/secops/reports?entityRef={entityRef}&amp;tool=zap.
      </Typography>
    </WarningPanel>
  );
}
