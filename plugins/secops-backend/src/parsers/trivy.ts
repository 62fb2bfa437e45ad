/*
 * Trivy JSON (`trivy ... -f json`, SchemaVersion 2).
 *
 * - `Results[].Vulnerabilities` give `sca` findings, `Results[].Misconfigurations`
 *   with Status FAIL give `misconfig` findings (PASS / EXCEPTION are skipped),
 *   and `Results[].Secrets` give `secret` findings (Trivy's default scanners
 *   include secrets). A result without these keys (a clean image) has none.
 * - The location is `Result.Target` (an image and its OS, a lockfile, a
 *   Dockerfile).
 * - Severity is Trivy's; UNKNOWN falls back to the CVSS score of the severity
 *   source (else NVD, else any vendor), else medium.
 * - Fingerprints: vulnerability id + target + package id (name@version) +
 *   package path; misconfig id + target + resource + message; secret rule +
 *   target + (redacted) match. Never a line number.
 */
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';
import {
  ParseLimits,
  parseWholeDocument,
  ReportItemSession,
  ReportParser,
  StreamingReportParser,
} from '@portal/plugin-secops-node';
import {
  arrayOrEmpty,
  cleanDescription,
  FindingCollector,
  fingerprintOf,
  firstLine,
  getNumber,
  getPositiveInteger,
  getString,
  httpUrl,
  isRecord,
  JsonObject,
  normaliseForFingerprint,
  normaliseSeverity,
  optionalArray,
  ownProperty,
  recordOrUndefined,
  reportError,
  requiredRecord,
  requiredRootObject,
  severityFromCvss,
  uniqueStrings,
  UNKNOWN_SEVERITY,
  vulnerabilityTitle,
} from './common';

const LABEL = 'Not a Trivy JSON report';

/** The CVSS score Trivy's severity is based on: V3 before V2. */
function cvssScoreOf(vuln: JsonObject): number | undefined {
  const cvss = recordOrUndefined(vuln.CVSS);
  if (!cvss) {
    return undefined;
  }
  const source = getString(vuln.SeveritySource);
  const sources = uniqueStrings([
    source,
    'nvd',
    'ghsa',
    ...Object.keys(cvss).sort(),
  ]);
  for (const key of ['V40Score', 'V3Score', 'V2Score']) {
    for (const name of sources) {
      const score = getNumber(
        ownProperty(recordOrUndefined(ownProperty(cvss, name)), key),
      );
      if (score !== undefined && score > 0 && score <= 10) {
        return score;
      }
    }
  }
  return undefined;
}

function severityOf(value: unknown, cvssScore?: number): Severity {
  return (
    normaliseSeverity(value) ?? severityFromCvss(cvssScore) ?? UNKNOWN_SEVERITY
  );
}

function vulnerabilityFinding(
  vuln: JsonObject,
  path: string,
  target: string | undefined,
): ParsedFinding {
  const id = getString(vuln.VulnerabilityID);
  if (!id) {
    throw reportError(LABEL, `${path}.VulnerabilityID is missing`);
  }
  const packageName = getString(vuln.PkgName);
  const packageVersion = getString(vuln.InstalledVersion);
  const cvssScore = cvssScoreOf(vuln);
  const description = getString(vuln.Description);
  return {
    fingerprint: fingerprintOf(
      'trivy-vuln',
      id,
      target,
      getString(vuln.PkgID) ?? `${packageName ?? ''}@${packageVersion ?? ''}`,
      getString(vuln.PkgPath),
    ),
    category: 'sca',
    severity: severityOf(vuln.Severity, cvssScore),
    ruleId: id,
    title: vulnerabilityTitle(
      id,
      packageName,
      getString(vuln.Title),
      description,
    ),
    description: cleanDescription(description),
    aliases: uniqueStrings([
      id,
      ...arrayOrEmpty(vuln.VendorIDs).map(getString),
    ]),
    cvssScore,
    packageName,
    packageVersion,
    fixedVersion: getString(vuln.FixedVersion),
    locationPath: target,
    helpUrl:
      httpUrl(vuln.PrimaryURL) ??
      arrayOrEmpty(vuln.References).map(httpUrl).find(Boolean),
  };
}

function misconfigFinding(
  misconfig: JsonObject,
  path: string,
  target: string | undefined,
): ParsedFinding | undefined {
  if (getString(misconfig.Status) !== 'FAIL') {
    return undefined;
  }
  const id = getString(misconfig.ID) ?? getString(misconfig.AVDID);
  if (!id) {
    throw reportError(LABEL, `${path}.ID is missing`);
  }
  const cause = recordOrUndefined(misconfig.CauseMetadata);
  const message = getString(misconfig.Message);
  const title = getString(misconfig.Title);
  return {
    fingerprint: fingerprintOf(
      'trivy-misconfig',
      id,
      target,
      getString(cause?.Resource),
      normaliseForFingerprint(message ?? ''),
    ),
    category: 'misconfig',
    severity: severityOf(misconfig.Severity),
    ruleId: id,
    title: firstLine(title) ?? firstLine(message) ?? id,
    description: cleanDescription(
      message,
      getString(misconfig.Description),
      getString(misconfig.Resolution)
        ? `Resolution: ${getString(misconfig.Resolution)}`
        : undefined,
    ),
    aliases: uniqueStrings([getString(misconfig.AVDID)]),
    locationPath: target,
    locationLine: getPositiveInteger(cause?.StartLine),
    helpUrl:
      httpUrl(misconfig.PrimaryURL) ??
      arrayOrEmpty(misconfig.References).map(httpUrl).find(Boolean),
  };
}

function secretFinding(
  secret: JsonObject,
  path: string,
  target: string | undefined,
): ParsedFinding {
  const id = getString(secret.RuleID);
  if (!id) {
    throw reportError(LABEL, `${path}.RuleID is missing`);
  }
  const title = getString(secret.Title);
  return {
    // The Match is already redacted by Trivy; it is hashed, not copied.
    fingerprint: fingerprintOf(
      'trivy-secret',
      id,
      target,
      normaliseForFingerprint(getString(secret.Match) ?? ''),
    ),
    category: 'secret',
    // A committed credential is never less than high unless Trivy says so.
    severity: normaliseSeverity(secret.Severity) ?? 'high',
    ruleId: id,
    title: firstLine(title) ?? id,
    description: cleanDescription(getString(secret.Category)),
    locationPath: target,
    locationLine: getPositiveInteger(secret.StartLine),
  };
}

type ToFinding = (
  item: JsonObject,
  itemPath: string,
  target: string | undefined,
) => ParsedFinding | undefined;

const SECTIONS = new Map<string, ToFinding>([
  ['Vulnerabilities', vulnerabilityFinding],
  ['Misconfigurations', misconfigFinding],
  ['Secrets', secretFinding],
]);

function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  if (document.SchemaVersion === undefined) {
    throw reportError(LABEL, 'SchemaVersion is missing');
  }
  if (document.SchemaVersion !== 2) {
    throw reportError(
      LABEL,
      `SchemaVersion ${JSON.stringify(
        document.SchemaVersion,
      )} is not supported, only 2 (Trivy 0.20 and later)`,
    );
  }
  const results = optionalArray(document.Results, 'Results', LABEL);
  const targets = results.map((value, index) => {
    const path = `Results[${index}]`;
    const result = requiredRecord(value, path, LABEL);
    for (const key of SECTIONS.keys()) {
      optionalArray(result[key], `${path}.${key}`, LABEL);
    }
    return getString(result.Target) ?? getString(document.ArtifactName);
  });
  const collector = new FindingCollector(limits);
  return {
    item([, index, key, itemIndex], value) {
      const itemPath = `Results[${index}].${key}[${itemIndex}]`;
      const finding = SECTIONS.get(String(key))!(
        requiredRecord(value, itemPath, LABEL),
        itemPath,
        targets[Number(index)],
      );
      if (finding) {
        collector.add(finding);
      }
    },
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = {
  itemPaths: [...SECTIONS.keys()].map(key => ['Results', '*', key]),
  start,
};

function detect(document: unknown): boolean {
  return (
    isRecord(document) &&
    typeof document.SchemaVersion === 'number' &&
    (Array.isArray(document.Results) ||
      typeof document.ArtifactName === 'string')
  );
}

/** Trivy JSON reports (vulnerabilities, misconfigurations and secrets). */
export const trivyParser: ReportParser = {
  format: 'trivy',
  description:
    'Trivy JSON report, SchemaVersion 2 (vulnerabilities, misconfigurations, secrets)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
