import { FindingCategory, Severity } from '@portal/plugin-secops-common';

/**
 * Colours people already read as severities (critical darkest), each dark
 * enough for white text (WCAG AA, 4.5:1 or more).
 */
export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#b45309',
  low: '#1d4ed8',
  info: '#6b7280',
};

export const CATEGORY_LABELS: Record<FindingCategory, string> = {
  sast: 'Code (SAST)',
  sca: 'Dependencies (SCA)',
  dast: 'Running app (DAST)',
  secret: 'Secrets',
  misconfig: 'Misconfiguration',
  pii: 'Personal data',
  pentest: 'Pen test',
};

/** Only http(s) links are shown: a report cannot smuggle other schemes. */
export function isHttpUrl(value?: string): value is string {
  if (!value) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
