import { ReportParser } from '@portal/plugin-secops-node';
import { cyclonedxParser } from './cyclonedx';
import { defectdojoParser } from './defectdojo';
import { grypeParser } from './grype';
import { npmAuditParser } from './npm-audit';
import { osvParser } from './osv';
import { sarifParser } from './sarif';
import { trivyParser } from './trivy';
import { zapParser } from './zap';

export { cyclonedxParser } from './cyclonedx';
export { defectdojoParser } from './defectdojo';
export { grypeParser } from './grype';
export { npmAuditParser } from './npm-audit';
export { osvParser } from './osv';
export { sarifParser } from './sarif';
export { trivyParser } from './trivy';
export { zapParser } from './zap';

/**
 * The report formats the backend understands out of the box, one per
 * ReportFormat. Their `detect` functions are mutually exclusive on real
 * reports, so the order only matters for odd hand-made documents.
 */
export const builtInParsers: ReportParser[] = [
  sarifParser,
  cyclonedxParser,
  trivyParser,
  grypeParser,
  osvParser,
  npmAuditParser,
  zapParser,
  defectdojoParser,
];
