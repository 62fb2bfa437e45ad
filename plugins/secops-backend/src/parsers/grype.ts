/*
 * Grype JSON (`grype -o json`): `matches[]` of `vulnerability` + `artifact`.
 *
 * - Severity is Grype's (Negligible -> info); Unknown falls back to the
 *   highest CVSS base score of the vulnerability or of its related
 *   vulnerabilities (the CVE behind a GHSA), else medium. Grype's own
 *   severity wins over CVSS: it is the distro's rating for the package.
 * - fixedVersion only when `fix.state` is "fixed": Grype's suggested version
 *   for this artifact (matchDetails[].fix.suggestedVersion) when it is one
 *   of `fix.versions`, else all of them joined with ", ".
 * - Fingerprint: vulnerability id + package URL (else type:name@version) +
 *   the artifact's first location path.
 */
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
  getNumber,
  getString,
  httpUrl,
  isRecord,
  JsonObject,
  normaliseSeverity,
  recordOrUndefined,
  reportError,
  requiredArray,
  requiredRecord,
  requiredRootObject,
  severityFromCvss,
  uniqueStrings,
  UNKNOWN_SEVERITY,
  vulnerabilityTitle,
} from './common';

const LABEL = 'Not a Grype JSON report';

/** The highest CVSS base score of some vulnerabilities, v3+ before v2. */
function cvssScoreOf(vulns: JsonObject[]): number | undefined {
  const scores = vulns
    .flatMap(v => arrayOrEmpty(v.cvss))
    .filter(isRecord)
    .map(c => ({
      version: getString(c.version) ?? '',
      score: getNumber(recordOrUndefined(c.metrics)?.baseScore),
    }))
    .filter(
      (s): s is { version: string; score: number } =>
        s.score !== undefined && s.score >= 0 && s.score <= 10,
    );
  const modern = scores.filter(s => !s.version.startsWith('2'));
  const pool = modern.length > 0 ? modern : scores;
  return pool.length > 0 ? Math.max(...pool.map(s => s.score)) : undefined;
}

function fixedVersionOf(vuln: JsonObject, match: JsonObject) {
  const fix = recordOrUndefined(vuln.fix);
  if (getString(fix?.state) !== 'fixed') {
    return undefined;
  }
  const versions = uniqueStrings(arrayOrEmpty(fix?.versions).map(getString));
  const suggested = arrayOrEmpty(match.matchDetails)
    .filter(isRecord)
    .map(d => getString(recordOrUndefined(d.fix)?.suggestedVersion))
    .find(v => v !== undefined && versions.includes(v));
  return suggested ?? (versions.length > 0 ? versions.join(', ') : undefined);
}

function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  requiredArray(document.matches, 'matches', LABEL);
  const collector = new FindingCollector(limits);
  const addMatch = (value: unknown, index: string | number) => {
    const path = `matches[${index}]`;
    const match = requiredRecord(value, path, LABEL);
    const vuln = requiredRecord(
      match.vulnerability,
      `${path}.vulnerability`,
      LABEL,
    );
    const artifact = requiredRecord(match.artifact, `${path}.artifact`, LABEL);
    const id = getString(vuln.id);
    if (!id) {
      throw reportError(LABEL, `${path}.vulnerability.id is missing`);
    }
    const packageName = getString(artifact.name);
    if (!packageName) {
      throw reportError(LABEL, `${path}.artifact.name is missing`);
    }
    const packageVersion = getString(artifact.version);
    const related = arrayOrEmpty(match.relatedVulnerabilities).filter(isRecord);
    const cvssScore = cvssScoreOf([vuln]) ?? cvssScoreOf(related);
    const severity =
      normaliseSeverity(vuln.severity) ??
      related.map(r => normaliseSeverity(r.severity)).find(Boolean) ??
      severityFromCvss(cvssScore) ??
      UNKNOWN_SEVERITY;
    const locationPath = arrayOrEmpty(artifact.locations)
      .filter(isRecord)
      .map(l => getString(l.path))
      .find(Boolean);
    const description =
      getString(vuln.description) ??
      related.map(r => getString(r.description)).find(Boolean);
    const urls = [vuln, ...related].flatMap(v => [
      httpUrl(v.dataSource),
      ...arrayOrEmpty(v.urls).map(httpUrl),
    ]);
    collector.add({
      fingerprint: fingerprintOf(
        'grype',
        id,
        getString(artifact.purl) ??
          `${getString(artifact.type) ?? ''}:${packageName}@${
            packageVersion ?? ''
          }`,
        locationPath,
      ),
      category: 'sca',
      severity,
      ruleId: id,
      title: vulnerabilityTitle(id, packageName, description),
      description: cleanDescription(description),
      aliases: uniqueStrings([id, ...related.map(r => getString(r.id))]),
      cvssScore,
      packageName,
      packageVersion,
      fixedVersion: fixedVersionOf(vuln, match),
      locationPath,
      helpUrl: urls.find(Boolean),
    });
  };
  return {
    item: ([, index], value) => addMatch(value, index),
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = { itemPaths: [['matches']], start };

function detect(document: unknown): boolean {
  if (!isRecord(document) || !Array.isArray(document.matches)) {
    return false;
  }
  if (getString(recordOrUndefined(document.descriptor)?.name) === 'grype') {
    return true;
  }
  const first = document.matches[0];
  return isRecord(first) && 'vulnerability' in first && 'artifact' in first;
}

/** Grype JSON reports. */
export const grypeParser: ReportParser = {
  format: 'grype',
  description: 'Grype JSON report (grype -o json)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
