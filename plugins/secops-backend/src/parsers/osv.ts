/*
 * osv-scanner JSON (`osv-scanner --format json`):
 * `results[].packages[].vulnerabilities[]`, with `groups[]` that gather the
 * ids of one problem (a GHSA and its PYSEC twin) and its `max_severity`.
 *
 * - One finding per group per package (a vulnerability in no group is its own
 *   group). The rule id is the first of the group's ids in sorted order, so
 *   it does not depend on the order osv-scanner prints them in.
 * - Malicious packages (any MAL- id or alias) are critical: the advisory says
 *   the machine is compromised.
 * - Otherwise severity from the group's `max_severity` (a CVSS score), else
 *   the advisories' `database_specific.severity` (GHSA: LOW / MODERATE / HIGH
 *   / CRITICAL) or `affected[].ecosystem_specific.severity`, else medium.
 * - fixedVersion: the `fixed` events of the affected ranges for the package.
 * - The location is the scanned file (`results[].source.path`).
 */
import { Severity } from '@portal/plugin-secops-common';
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
  optionalArray,
  recordOrUndefined,
  reportError,
  requiredArray,
  requiredRecord,
  requiredRootObject,
  severityFromCvss,
  uniqueStrings,
  UNKNOWN_SEVERITY,
  vulnerabilityTitle,
  worstSeverity,
} from './common';

const LABEL = 'Not an osv-scanner JSON report';

function stated(vuln: JsonObject, packageName: string): Severity | undefined {
  const fromAffected = arrayOrEmpty(vuln.affected)
    .filter(isRecord)
    .filter(a => getString(recordOrUndefined(a.package)?.name) === packageName)
    .map(a =>
      normaliseSeverity(
        recordOrUndefined(a.ecosystem_specific)?.severity ??
          recordOrUndefined(a.database_specific)?.severity,
      ),
    );
  return worstSeverity([
    normaliseSeverity(recordOrUndefined(vuln.database_specific)?.severity),
    ...fromAffected,
  ]);
}

function fixedVersions(vuln: JsonObject, packageName: string): string[] {
  return arrayOrEmpty(vuln.affected)
    .filter(isRecord)
    .filter(a => getString(recordOrUndefined(a.package)?.name) === packageName)
    .flatMap(a => arrayOrEmpty(a.ranges))
    .filter(isRecord)
    .flatMap(r => arrayOrEmpty(r.events))
    .filter(isRecord)
    .map(e => getString(e.fixed))
    .filter((v): v is string => !!v);
}

function helpUrlOf(vuln: JsonObject, id: string): string {
  const refs = arrayOrEmpty(vuln.references).filter(isRecord);
  return (
    refs
      .filter(r => getString(r.type) === 'ADVISORY')
      .map(r => httpUrl(r.url))
      .find(Boolean) ??
    refs.map(r => httpUrl(r.url)).find(Boolean) ??
    `https://osv.dev/vulnerability/${encodeURIComponent(id)}`
  );
}

function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  const results = requiredArray(document.results, 'results', LABEL);
  const sources = results.map((resultValue, resultIndex) => {
    const resultPath = `results[${resultIndex}]`;
    const result = requiredRecord(resultValue, resultPath, LABEL);
    optionalArray(result.packages, `${resultPath}.packages`, LABEL);
    return getString(recordOrUndefined(result.source)?.path);
  });
  const collector = new FindingCollector(limits);

  const addPackage = (
    packageValue: unknown,
    resultIndex: number,
    packageIndex: string | number,
  ) => {
    const source = sources[resultIndex];
    const path = `results[${resultIndex}].packages[${packageIndex}]`;
    const entry = requiredRecord(packageValue, path, LABEL);
    const pkg = requiredRecord(entry.package, `${path}.package`, LABEL);
    const packageName = getString(pkg.name);
    if (!packageName) {
      throw reportError(LABEL, `${path}.package.name is missing`);
    }
    const packageVersion = getString(pkg.version);
    const ecosystem = getString(pkg.ecosystem);

    const vulnsById = new Map<string, JsonObject>();
    optionalArray(
      entry.vulnerabilities,
      `${path}.vulnerabilities`,
      LABEL,
    ).forEach((vulnValue, vulnIndex) => {
      const vulnPath = `${path}.vulnerabilities[${vulnIndex}]`;
      const vuln = requiredRecord(vulnValue, vulnPath, LABEL);
      const id = getString(vuln.id);
      if (!id) {
        throw reportError(LABEL, `${vulnPath}.id is missing`);
      }
      vulnsById.set(id, vuln);
    });

    const groups: Array<{ ids: string[]; aliases: string[]; max?: number }> =
      [];
    const grouped = new Set<string>();
    optionalArray(entry.groups, `${path}.groups`, LABEL).forEach(
      (groupValue, groupIndex) => {
        const group = requiredRecord(
          groupValue,
          `${path}.groups[${groupIndex}]`,
          LABEL,
        );
        const ids = uniqueStrings(arrayOrEmpty(group.ids).map(getString));
        if (ids.length === 0) {
          return;
        }
        ids.forEach(id => grouped.add(id));
        groups.push({
          ids,
          aliases: uniqueStrings(arrayOrEmpty(group.aliases).map(getString)),
          max: getNumber(group.max_severity),
        });
      },
    );
    for (const id of vulnsById.keys()) {
      if (!grouped.has(id)) {
        groups.push({ ids: [id], aliases: [] });
      }
    }

    for (const group of groups) {
      const vulns = group.ids
        .map(id => vulnsById.get(id))
        .filter((v): v is JsonObject => !!v);
      const ruleId = [...group.ids].sort()[0];
      const main = vulnsById.get(ruleId) ?? vulns[0];
      const aliases = uniqueStrings(
        [
          ...group.ids,
          ...group.aliases,
          ...vulns.flatMap(v => arrayOrEmpty(v.aliases).map(getString)),
        ].sort(),
      );
      const malicious = aliases.some(a => /^MAL-/i.test(a));
      const cvssScore =
        group.max !== undefined && group.max > 0 && group.max <= 10
          ? group.max
          : undefined;
      const severity: Severity = malicious
        ? 'critical'
        : severityFromCvss(cvssScore) ??
          worstSeverity(vulns.map(v => stated(v, packageName))) ??
          UNKNOWN_SEVERITY;
      const fixed = uniqueStrings(
        vulns.flatMap(v => fixedVersions(v, packageName)),
      );
      const summary = main ? getString(main.summary) : undefined;
      const details = main ? getString(main.details) : undefined;
      collector.add({
        fingerprint: fingerprintOf(
          'osv',
          ruleId,
          ecosystem,
          packageName,
          packageVersion,
          source,
        ),
        category: 'sca',
        severity,
        ruleId,
        title: vulnerabilityTitle(ruleId, packageName, summary),
        description: cleanDescription(summary, details),
        aliases,
        cvssScore,
        packageName,
        packageVersion,
        fixedVersion: fixed.length > 0 ? fixed.join(', ') : undefined,
        locationPath: source,
        helpUrl: main
          ? helpUrlOf(main, ruleId)
          : `https://osv.dev/vulnerability/${encodeURIComponent(ruleId)}`,
      });
    }
  };
  return {
    item: ([, resultIndex, , packageIndex], value) =>
      addPackage(value, Number(resultIndex), packageIndex),
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = {
  itemPaths: [['results', '*', 'packages']],
  start,
};

function detect(document: unknown): boolean {
  if (!isRecord(document) || !Array.isArray(document.results)) {
    return false;
  }
  const first = document.results[0];
  if (first === undefined) {
    // A clean scan: {"results": []} and maybe experimental_config, nothing else.
    return Object.keys(document).every(
      key => key === 'results' || key === 'experimental_config',
    );
  }
  return isRecord(first) && ('packages' in first || 'source' in first);
}

/** osv-scanner JSON reports. */
export const osvParser: ReportParser = {
  format: 'osv',
  description: 'osv-scanner JSON report (osv-scanner --format json)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
