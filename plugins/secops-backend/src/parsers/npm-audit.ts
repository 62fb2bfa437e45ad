/*
 * npm audit JSON of npm 7 and later (`npm audit --json`, auditReportVersion 2).
 *
 * - `vulnerabilities` is keyed by package; each entry's `via[]` mixes
 *   advisory objects (the package itself is vulnerable) and package names
 *   (it is only affected through that dependency). Only advisory objects are
 *   findings, de-duplicated by advisory (url, else source id) + package.
 * - The rule id is the GHSA id of the advisory URL, else "npm-<source>".
 * - npm audit does not give the installed version. fixedVersion is set only
 *   when `fixAvailable` names the vulnerable package itself; a fix through
 *   another package ("install vercel@32.3.0, semver-major") goes into the
 *   description.
 * - The location is the package's first node_modules path.
 */
import { ParsedFinding } from '@portal/plugin-secops-common';
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
  describeValue,
  FindingCollector,
  fingerprintOf,
  firstLine,
  getNumber,
  getString,
  httpUrl,
  isRecord,
  JsonObject,
  normaliseSeverity,
  optionalArray,
  recordOrUndefined,
  reportError,
  requiredRootObject,
  severityFromCvss,
  UNKNOWN_SEVERITY,
} from './common';

const LABEL = 'Not an npm audit (npm 7+) JSON report';

function fixText(
  fixAvailable: unknown,
  packageName: string,
): { fixedVersion?: string; text?: string } {
  if (fixAvailable === true) {
    return { text: 'Fix available with `npm audit fix`.' };
  }
  if (fixAvailable === false) {
    return { text: 'No fix available.' };
  }
  const fix = recordOrUndefined(fixAvailable);
  const name = getString(fix?.name);
  const version = getString(fix?.version);
  if (!name || !version) {
    return {};
  }
  const major = fix?.isSemVerMajor === true ? ' (a semver-major change)' : '';
  return {
    fixedVersion: name === packageName ? version : undefined,
    text: `Fix available: install ${name}@${version}${major}.`,
  };
}

function advisoryFinding(
  advisory: JsonObject,
  entry: JsonObject,
  key: string,
): ParsedFinding {
  const packageName = getString(advisory.name) ?? getString(entry.name) ?? key;
  const url = httpUrl(advisory.url);
  const source = getString(advisory.source);
  const title = getString(advisory.title);
  const ghsa = url ? /GHSA(-[0-9a-z]{4}){3}/i.exec(url)?.[0] : undefined;
  const ruleId =
    ghsa ?? (source ? `npm-${source}` : `npm-${packageName}-${title ?? ''}`);
  const score = getNumber(recordOrUndefined(advisory.cvss)?.score);
  const cvssScore =
    score !== undefined && score > 0 && score <= 10 ? score : undefined;
  const range = getString(advisory.range);
  const fix = fixText(entry.fixAvailable, packageName);
  return {
    fingerprint: fingerprintOf(
      'npm-audit',
      url ?? source ?? title ?? ruleId,
      packageName,
    ),
    category: 'sca',
    severity:
      normaliseSeverity(advisory.severity) ??
      severityFromCvss(cvssScore) ??
      UNKNOWN_SEVERITY,
    ruleId,
    title: firstLine(title) ?? `${ruleId} in ${packageName}`,
    description: cleanDescription(
      range ? `Vulnerable versions: ${range}` : undefined,
      fix.text,
    ),
    aliases: ghsa ? [ghsa] : undefined,
    cvssScore,
    packageName,
    fixedVersion: fix.fixedVersion,
    locationPath: arrayOrEmpty(entry.nodes).map(getString).find(Boolean),
    helpUrl: url,
  };
}

function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  if (document.auditReportVersion === undefined) {
    throw reportError(
      LABEL,
      isRecord(document.advisories)
        ? 'this is the npm 6 format (advisories); run npm audit --json with npm 7 or later'
        : 'auditReportVersion is missing',
    );
  }
  if (document.auditReportVersion !== 2) {
    throw reportError(
      LABEL,
      `auditReportVersion ${JSON.stringify(
        document.auditReportVersion,
      )} is not supported, only 2`,
    );
  }
  const vulnerabilities = document.vulnerabilities;
  if (!isRecord(vulnerabilities)) {
    throw reportError(
      LABEL,
      `vulnerabilities must be an object keyed by package name, got ${describeValue(
        vulnerabilities,
      )}`,
    );
  }
  const collector = new FindingCollector(limits);
  const addVulnerability = (key: string, value: unknown) => {
    const path = `vulnerabilities[${JSON.stringify(key)}]`;
    if (!isRecord(value)) {
      throw reportError(
        LABEL,
        `${path} must be an object, got ${describeValue(value)}`,
      );
    }
    optionalArray(value.via, `${path}.via`, LABEL).forEach((via, index) => {
      if (typeof via === 'string') {
        return; // affected only through that dependency
      }
      if (!isRecord(via)) {
        throw reportError(
          LABEL,
          `${path}.via[${index}] must be an advisory object or a package name, got ${describeValue(
            via,
          )}`,
        );
      }
      collector.add(advisoryFinding(via, value, key));
    });
  };
  return {
    item: ([, key], value) => addVulnerability(String(key), value),
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = {
  itemPaths: [['vulnerabilities']],
  start,
};

function detect(document: unknown): boolean {
  return (
    isRecord(document) &&
    document.auditReportVersion === 2 &&
    isRecord(document.vulnerabilities)
  );
}

/** npm audit --json reports of npm 7 and later. */
export const npmAuditParser: ReportParser = {
  format: 'npm-audit',
  description:
    'npm audit --json report of npm 7 or later (auditReportVersion 2)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
