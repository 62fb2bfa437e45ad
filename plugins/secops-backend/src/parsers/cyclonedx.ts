/*
 * CycloneDX 1.4 – 1.6 JSON with `vulnerabilities[]` (an SBOM with
 * vulnerabilities, or a VEX document).
 *
 * Judgement calls:
 * - VEX: a vulnerability whose `analysis.state` is `not_affected`,
 *   `false_positive`, `resolved` or `resolved_with_pedigree` is not a finding
 *   and is skipped; `exploitable`, `in_triage` or no analysis are findings.
 *   `analysis` is otherwise not read, so a malformed `response` (a string
 *   instead of an array, as in the CycloneDX VEX example) does not matter.
 * - `affects[].ref` is resolved against the BOM's components (also nested
 *   ones, and metadata.component) by bom-ref; a BOM-Link
 *   (urn:cdx:serial/version#ref) is resolved by its fragment, and a fragment
 *   or ref that is itself a package URL gives the package when no component
 *   matches (Trivy and VEX documents have no components).
 * - The fingerprint is the vulnerability id plus the package URL (else
 *   name@version, else the ref without the BOM serial), never the BOM-Link
 *   itself: its serial number changes with every BOM.
 * - Severity: the worst `severity` among the ratings; ratings without one
 *   count by their CVSS score. cvssScore is the highest CVSS v3/v4 score
 *   (else any score).
 * - packageVersion: the component's version, else the single `affected`
 *   version of the affects entry (keeps rpm epochs, "1:1.0.2k-16.el7"), else
 *   the purl version.
 * - fixedVersion: the versions named by `recommendation` ("Upgrade x to
 *   version 1.2.3"; several are joined with ", "), else the `unaffected`
 *   versions of the affects entry.
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
  firstLine,
  getNumber,
  getString,
  httpUrl,
  isRecord,
  JsonObject,
  normaliseSeverity,
  optionalArray,
  parsePurl,
  purlDisplayName,
  recordOrUndefined,
  reportError,
  requiredRecord,
  requiredRootObject,
  severityFromCvss,
  uniqueStrings,
  UNKNOWN_SEVERITY,
  vulnerabilityTitle,
  worstSeverity,
} from './common';

const LABEL = 'Not a CycloneDX report';

const NOT_A_FINDING_STATES = new Set([
  'not_affected',
  'false_positive',
  'resolved',
  'resolved_with_pedigree',
]);

interface Component {
  name?: string;
  version?: string;
  purl?: string;
  /** Whether the component is described in the BOM (not only by a purl). */
  inBom?: boolean;
}

/** Every component by bom-ref, walking nested components without recursion. */
function indexComponents(bom: JsonObject): Map<string, Component> {
  const byRef = new Map<string, Component>();
  const metadata = recordOrUndefined(bom.metadata);
  const stack: unknown[] = [...arrayOrEmpty(bom.components)];
  if (metadata?.component !== undefined) {
    stack.push(metadata.component);
  }
  let visited = 0;
  while (stack.length > 0 && visited < 1_000_000) {
    visited++;
    const value = stack.pop();
    if (!isRecord(value)) {
      continue;
    }
    const ref = getString(value['bom-ref']);
    if (ref && !byRef.has(ref)) {
      const purl = parsePurl(value.purl);
      const group = getString(value.group);
      const name = getString(value.name);
      byRef.set(ref, {
        name:
          (purl ? purlDisplayName(purl) : undefined) ??
          (group && name ? `${group}/${name}` : name),
        version: getString(value.version),
        purl: getString(value.purl),
        inBom: true,
      });
    }
    stack.push(...arrayOrEmpty(value.components));
  }
  return byRef;
}

/** The package of an affects ref. */
function resolveRef(
  ref: string,
  components: Map<string, Component>,
): Component {
  const hash = ref.startsWith('urn:cdx:') ? ref.indexOf('#') : -1;
  const local = hash >= 0 ? ref.slice(hash + 1) : ref;
  let decoded = local;
  try {
    decoded = decodeURIComponent(local);
  } catch {
    // keep as is
  }
  const component = components.get(ref) ?? components.get(decoded);
  if (component) {
    return component;
  }
  const purl = parsePurl(decoded);
  if (purl) {
    return {
      name: purlDisplayName(purl),
      version: purl.version,
      purl: decoded,
    };
  }
  return {};
}

function severityOf(ratings: JsonObject[]): {
  severity: Severity;
  cvssScore?: number;
} {
  const stated = worstSeverity(
    ratings.map(rating => normaliseSeverity(rating.severity)),
  );
  const scores = ratings
    .map(rating => ({
      score: getNumber(rating.score),
      method: getString(rating.method) ?? '',
    }))
    .filter(
      (s): s is { score: number; method: string } =>
        s.score !== undefined && s.score >= 0 && s.score <= 10,
    );
  const modern = scores.filter(s => /^CVSSv(3|31|4)$/i.test(s.method));
  const pool = modern.length > 0 ? modern : scores;
  const cvssScore =
    pool.length > 0 ? Math.max(...pool.map(s => s.score)) : undefined;
  const fromScores = worstSeverity(
    ratings
      .filter(rating => normaliseSeverity(rating.severity) === undefined)
      .map(rating => severityFromCvss(rating.score)),
  );
  return {
    severity: worstSeverity([stated, fromScores]) ?? UNKNOWN_SEVERITY,
    cvssScore,
  };
}

const VERSION_TOKEN = /^[0-9a-z:._+~-]*\d[0-9a-z:._+~-]*$/i;

/** The versions a recommendation names: "Upgrade x to version 1.2, 1.3 or higher." */
export function versionsFromRecommendation(
  recommendation: string | undefined,
): string[] {
  const line = firstLine(recommendation, 1000);
  const match = line ? /\bversions?\s+(.+)$/i.exec(line) : null;
  if (!match) {
    return [];
  }
  return uniqueStrings(
    match[1]
      .split(/,|;|\s+or\s+|\s+and\s+/i)
      .map(token => token.trim().replace(/\.+$/, ''))
      .filter(token => VERSION_TOKEN.test(token)),
  );
}

function affectsVersions(affect: JsonObject, status: string): string[] {
  return uniqueStrings(
    arrayOrEmpty(affect.versions)
      .filter(isRecord)
      .filter(v => getString(v.status) === status)
      .map(v => getString(v.version)),
  );
}

function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  if (document.bomFormat !== 'CycloneDX') {
    throw reportError(
      LABEL,
      document.bomFormat === undefined
        ? 'bomFormat is missing'
        : `bomFormat is ${JSON.stringify(
            document.bomFormat,
          )}, expected "CycloneDX"`,
    );
  }
  if (document.specVersion !== undefined && !getString(document.specVersion)) {
    throw reportError(LABEL, 'specVersion must be a string such as "1.5"');
  }
  optionalArray(document.vulnerabilities, 'vulnerabilities', LABEL);
  const components = indexComponents(document);
  const target = getString(
    recordOrUndefined(recordOrUndefined(document.metadata)?.component)?.name,
  );
  const collector = new FindingCollector(limits);

  const addVulnerability = (value: unknown, index: string | number) => {
    const path = `vulnerabilities[${index}]`;
    const vuln = requiredRecord(value, path, LABEL);
    const id = getString(vuln.id) ?? getString(vuln['bom-ref']);
    if (!id) {
      throw reportError(LABEL, `${path}.id is missing`);
    }
    const state = getString(recordOrUndefined(vuln.analysis)?.state);
    if (state && NOT_A_FINDING_STATES.has(state)) {
      return;
    }
    const ratings = optionalArray(
      vuln.ratings,
      `${path}.ratings`,
      LABEL,
    ).filter(isRecord);
    const { severity, cvssScore } = severityOf(ratings);
    const aliases = uniqueStrings([
      id,
      ...arrayOrEmpty(vuln.references)
        .filter(isRecord)
        .map(ref => getString(ref.id)),
    ]);
    const advisories = arrayOrEmpty(vuln.advisories)
      .filter(isRecord)
      .map(a => httpUrl(a.url))
      .filter((u): u is string => !!u);
    const helpUrl =
      httpUrl(recordOrUndefined(vuln.source)?.url) ??
      advisories.find(u => u.includes(id)) ??
      advisories[0];
    const description = getString(vuln.description);
    const detail = getString(vuln.detail);
    const recommendation = getString(vuln.recommendation);
    const recommended = versionsFromRecommendation(recommendation);

    const affects = optionalArray(vuln.affects, `${path}.affects`, LABEL);
    const targets: Array<{ affect?: JsonObject; ref?: string }> =
      affects.length > 0
        ? affects.map((affectValue, affectIndex) => {
            const affect = requiredRecord(
              affectValue,
              `${path}.affects[${affectIndex}]`,
              LABEL,
            );
            const ref = getString(affect.ref);
            if (!ref) {
              throw reportError(
                LABEL,
                `${path}.affects[${affectIndex}].ref is missing`,
              );
            }
            return { affect, ref };
          })
        : [{}];

    for (const { affect, ref } of targets) {
      const component = ref ? resolveRef(ref, components) : {};
      const affected = affect ? affectsVersions(affect, 'affected') : [];
      const unaffected = affect ? affectsVersions(affect, 'unaffected') : [];
      const packageVersion =
        component.inBom && component.version
          ? component.version
          : (affected.length === 1 ? affected[0] : undefined) ??
            component.version;
      const fixed = recommended.length > 0 ? recommended : unaffected;
      const packageKey =
        component.purl ??
        (component.name
          ? `${component.name}@${component.version ?? ''}`
          : ref?.replace(/^urn:cdx:[^#]*#/, ''));
      collector.add({
        fingerprint: fingerprintOf('cyclonedx', id, packageKey),
        category: 'sca',
        severity,
        ruleId: id,
        title: vulnerabilityTitle(id, component.name, description, detail),
        description: cleanDescription(description, detail, recommendation),
        aliases,
        cvssScore,
        packageName: component.name,
        packageVersion,
        fixedVersion: fixed.length > 0 ? fixed.join(', ') : undefined,
        locationPath: target,
        helpUrl,
      });
    }
  };
  return {
    item: ([, index], value) => addVulnerability(value, index),
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = {
  itemPaths: [['vulnerabilities']],
  start,
};

function detect(document: unknown): boolean {
  return isRecord(document) && document.bomFormat === 'CycloneDX';
}

/** CycloneDX 1.4–1.6 JSON vulnerability (and VEX) reports. */
export const cyclonedxParser: ReportParser = {
  format: 'cyclonedx',
  description:
    'CycloneDX 1.4–1.6 JSON with vulnerabilities (SBOM or VEX; not_affected, false_positive and resolved are skipped)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
