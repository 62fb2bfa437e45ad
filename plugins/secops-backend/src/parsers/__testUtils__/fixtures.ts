/*
 * Test helpers: the real third-party report files kept in the repository's
 * fixtures/ folder (see SOURCES.md there). They are read, never changed; tests that need a
 * variant change a deep copy in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';

/** The repository's fixtures/, from plugins/secops-backend/src/parsers/__testUtils__. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../../../fixtures');

export const FIXTURES = {
  gitleaksSarif: 'sarif/gitleaks-7.4.0-defectdojo.sarif',
  trivySarif: 'sarif/trivy-alpine-310.sarif',
  banditSarif: 'sarif/bandit-1.9.3-todo-list-aws.sarif',
  eslintSarif: 'sarif/eslint-8.34.0-empty-results.sarif',
  cyclonedxVex: 'cyclonedx/bom-examples-vex-jackson-databind.cdx.json',
  cyclonedxTrivy: 'cyclonedx/trivy-centos-7-vuln.cdx.json',
  trivyImage: 'trivy/trivy-alpine-310-image.json',
  trivyMisconfig: 'trivy/trivy-dockerfile-misconfig.json',
  trivyNoVulnerabilitiesKey:
    'trivy/edge-cases/trivy-schema2-no-vulnerabilities-key.json',
  grype: 'grype/grype-presenter-image-golden.json',
  osv: 'osv/osv-scanner-yarn-malicious-pkg.json',
  npmAudit: 'npm-audit/npm-audit-v7-vercel-many-vulns.json',
  zapJson: 'zap/zap-traditional-json-petstore-api-scan.json',
  defectdojoJson: 'defectdojo/generic_report1.json',
  defectdojoEndpointsJson: 'defectdojo/generic_report3.json',
  defectdojoCsv: 'defectdojo/generic_report1.csv',
  defectdojoInactiveCsv: 'defectdojo/generic_csv_defect_dojo.csv',
  defectdojoNoSeverityCsv: 'defectdojo/generic_report4.csv',
  awsCostExplorer:
    'aws-ce/sw-billing-get-cost-and-usage-daily-groupby-tag-createdby.json',
} as const;

export type FixtureName = keyof typeof FIXTURES;

/**
 * A fixture file as a parser receives it: JSON decoded, CSV as text. A fresh
 * copy on every call.
 */
export function loadFixture(name: FixtureName): any {
  const text = fs.readFileSync(path.join(FIXTURES_DIR, FIXTURES[name]), 'utf8');
  return FIXTURES[name].endsWith('.csv') ? text : JSON.parse(text);
}

export const LIMITS = { maxFindings: 50000 };

/** How many findings of each severity, for compact assertions. */
export function severityCounts(
  findings: ParsedFinding[],
): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const finding of findings) {
    counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  }
  return counts;
}

/**
 * The InputError that a call throws. Fails the test when the call throws
 * nothing or anything else (a TypeError on odd input, say).
 */
export function inputErrorOf(fn: () => unknown): InputError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof InputError)) {
    throw new Error(
      `expected an InputError, got ${
        thrown === undefined ? 'no error' : String(thrown)
      }`,
    );
  }
  return thrown;
}
