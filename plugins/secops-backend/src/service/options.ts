import { Config } from '@backstage/config';
import { Severity, SEVERITIES } from '@portal/plugin-secops-common';

export interface SecopsOptions {
  maxReportBytes: number;
  maxCompressedBytes: number;
  /**
   * Reports up to this size are decoded whole; larger JSON reports are read
   * as streams, and larger XML reports are refused.
   */
  maxInMemoryBytes: number;
  maxFindings: number;
  /** Days to fix, by severity. */
  slaDays: Partial<Record<Severity, number>>;
}

const DEFAULT_SLA: Partial<Record<Severity, number>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
};

export function readSecopsOptions(config: Config): SecopsOptions {
  const sla = config.getOptionalConfig('secops.sla');
  const slaDays = sla
    ? Object.fromEntries(
        SEVERITIES.filter(s => sla.has(s)).map(s => [s, sla.getNumber(s)]),
      )
    : DEFAULT_SLA;
  return {
    maxReportBytes:
      config.getOptionalNumber('secops.limits.maxReportBytes') ??
      256 * 1024 * 1024,
    maxCompressedBytes:
      config.getOptionalNumber('secops.limits.maxCompressedBytes') ??
      128 * 1024 * 1024,
    maxInMemoryBytes:
      config.getOptionalNumber('secops.limits.maxInMemoryBytes') ??
      16 * 1024 * 1024,
    maxFindings:
      config.getOptionalNumber('secops.limits.maxFindings') ?? 100_000,
    slaDays,
  };
}

const DAY = 24 * 3600 * 1000;

/** When a finding first seen at `firstSeen` must be fixed by. */
export function dueDate(
  options: SecopsOptions,
  severity: Severity,
  firstSeen: Date,
): Date | undefined {
  const days = options.slaDays[severity];
  return days === undefined
    ? undefined
    : new Date(firstSeen.getTime() + days * DAY);
}

/** Per severity, the first-seen time before which an open finding is overdue. */
export function overdueCutoffs(
  options: SecopsOptions,
  now: Date,
): Partial<Record<Severity, Date>> {
  return Object.fromEntries(
    Object.entries(options.slaDays).map(([severity, days]) => [
      severity,
      new Date(now.getTime() - (days as number) * DAY),
    ]),
  );
}
