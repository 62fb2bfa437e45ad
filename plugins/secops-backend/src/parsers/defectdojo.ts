/*
 * Pen-test results in DefectDojo's Generic Findings Import format: JSON
 * (`{ "findings": [...] }`, decoded) or CSV with the same columns (as text),
 * which pen-test firms can fill in a spreadsheet. Every finding is category
 * `pentest`.
 *
 * - Title is required. Severity is the word (Critical, High, Medium, Low,
 *   Info), else the CVSS v3 score, else medium (unknown, not hidden).
 * - Findings marked false positive, duplicate or out of scope are left out.
 *   Findings marked mitigated (`is_mitigated`, `active: false`, or a retest
 *   status of fixed) are left out too: a retest report that no longer lists a
 *   finding, or lists it as fixed, fixes it (when the uploader may close).
 * - Pen-test context, an extension DefectDojo ignores: `tester` and
 *   `engagement` (top level or per finding; DefectDojo's test `name` stands
 *   in for the engagement) and `retest_status` per finding (CSV: Tester,
 *   Engagement, RetestStatus columns).
 * - The fingerprint is `unique_id_from_tool` when given, else the title,
 *   CWE, file and the sorted endpoints: the same issue in a retest report is
 *   the same finding.
 * - CSV: the first row names the columns (any case, DefectDojo's names);
 *   unknown columns are ignored; a row with a different number of cells is
 *   an error naming its line.
 */
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { ParsedFinding, PentestRetest } from '@portal/plugin-secops-common';
import {
  ParseLimits,
  ReportItemSession,
  ReportParser,
  StreamingReportParser,
  parseWholeDocument,
} from '@portal/plugin-secops-node';
import {
  FindingCollector,
  JsonObject,
  MAX_TITLE_LENGTH,
  UNKNOWN_SEVERITY,
  cleanDescription,
  describeValue,
  fingerprintOf,
  getNumber,
  getPositiveInteger,
  getString,
  httpUrl,
  isRecord,
  normaliseSeverity,
  ownProperty,
  reportError,
  requiredArray,
  severityFromCvss,
  truncate,
  uniqueStrings,
} from './common';

const JSON_LABEL = 'Not a DefectDojo generic findings JSON report';
const CSV_LABEL = 'Not a DefectDojo generic findings CSV report';

/** Longest tester or engagement name kept. */
const MAX_CONTEXT_LENGTH = 200;

/**
 * The CSV columns (lower case, without spaces or underscores) and the JSON
 * keys they stand for.
 */
const CSV_COLUMNS = new Map<string, string>([
  ['title', 'title'],
  ['severity', 'severity'],
  ['description', 'description'],
  ['mitigation', 'mitigation'],
  ['impact', 'impact'],
  ['references', 'references'],
  ['stepstoreproduce', 'steps_to_reproduce'],
  ['date', 'date'],
  ['cweid', 'cwe'],
  ['cwe', 'cwe'],
  ['cve', 'cve'],
  ['url', 'url'],
  ['cvssv3', 'cvssv3'],
  ['cvssv3score', 'cvssv3_score'],
  ['active', 'active'],
  ['verified', 'verified'],
  ['falsepositive', 'false_p'],
  ['duplicate', 'duplicate'],
  ['outofscope', 'out_of_scope'],
  ['ismitigated', 'is_mitigated'],
  ['mitigated', 'is_mitigated'],
  ['componentname', 'component_name'],
  ['componentversion', 'component_version'],
  ['fixversion', 'fix_version'],
  ['filepath', 'file_path'],
  ['line', 'line'],
  ['linenumber', 'line'],
  ['uniqueidfromtool', 'unique_id_from_tool'],
  ['vulnidfromtool', 'vuln_id_from_tool'],
  ['tester', 'tester'],
  ['engagement', 'engagement'],
  ['reteststatus', 'retest_status'],
]);

function columnKey(header: string): string | undefined {
  return CSV_COLUMNS.get(header.toLowerCase().replace(/[\s_-]+/g, ''));
}

/** true, false or undefined from JSON booleans and CSV words. */
function getBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  const text = getString(value)?.toLowerCase();
  if (text === 'true' || text === 'yes' || text === '1') return true;
  if (text === 'false' || text === 'no' || text === '0') return false;
  return undefined;
}

type Retest = PentestRetest | 'fixed';

/** A retest status word: fixed, still present (open), or not retested. */
function getRetest(value: unknown, label: string): Retest | undefined {
  const text = getString(value)
    ?.toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (!text) {
    return undefined;
  }
  if (
    ['fixed', 'resolved', 'closed', 'remediated', 'mitigated'].includes(text)
  ) {
    return 'fixed';
  }
  if (
    ['open', 'still present', 'not fixed', 'unresolved', 'reopened'].includes(
      text,
    )
  ) {
    return 'still-present';
  }
  if (['not retested', 'pending', 'new'].includes(text)) {
    return 'not-retested';
  }
  throw reportError(
    label,
    `retest_status '${truncate(
      text,
      40,
    )}' is not one of fixed, open (still present) or not retested`,
  );
}

/** An endpoint as a URL: a string, or DefectDojo's {protocol, host, port, path, query}. */
function endpointUrl(value: unknown): string | undefined {
  if (!isRecord(value)) {
    return getString(value);
  }
  const host = getString(value.host);
  if (!host) {
    return undefined;
  }
  const protocol = getString(value.protocol);
  const port = getNumber(value.port);
  const path = getString(value.path);
  const query = getString(value.query);
  return `${protocol ? `${protocol}://` : ''}${host}${
    port !== undefined ? `:${port}` : ''
  }${path ? `/${path.replace(/^\/+/, '')}` : ''}${query ? `?${query}` : ''}`;
}

/** The advisory ids of a finding: `cve`, `vulnerability_ids` (strings or objects). */
function advisoryIds(finding: JsonObject): string[] {
  const ids = Array.isArray(finding.vulnerability_ids)
    ? finding.vulnerability_ids.map(id =>
        isRecord(id) ? getString(id.vulnerability_id) : getString(id),
      )
    : [];
  return uniqueStrings([getString(finding.cve), ...ids]).map(id =>
    truncate(id, 100),
  );
}

function section(heading: string, text: string | undefined) {
  return text ? `${heading}\n${text}` : undefined;
}

interface ReportContext {
  tester?: string;
  engagement?: string;
}

function contextText(value: unknown): string | undefined {
  const text = getString(value);
  return text ? truncate(text, MAX_CONTEXT_LENGTH) : undefined;
}

function toFinding(
  raw: unknown,
  where: string,
  context: ReportContext,
  label: string,
): ParsedFinding | undefined {
  if (!isRecord(raw)) {
    throw reportError(
      label,
      `${where} must be an object, got ${describeValue(raw)}`,
    );
  }
  const finding: JsonObject = raw;
  const title = getString(ownProperty(finding, 'title'));
  if (!title) {
    throw reportError(label, `${where} has no title`);
  }
  const retest = getRetest(ownProperty(finding, 'retest_status'), label);
  const closed =
    getBoolean(ownProperty(finding, 'false_p')) === true ||
    getBoolean(ownProperty(finding, 'duplicate')) === true ||
    getBoolean(ownProperty(finding, 'out_of_scope')) === true ||
    getBoolean(ownProperty(finding, 'is_mitigated')) === true ||
    getBoolean(ownProperty(finding, 'active')) === false ||
    retest === 'fixed';
  if (closed) {
    return undefined;
  }
  const cvssScore = getNumber(ownProperty(finding, 'cvssv3_score'));
  const severity =
    normaliseSeverity(ownProperty(finding, 'severity')) ??
    severityFromCvss(cvssScore) ??
    UNKNOWN_SEVERITY;
  const cwe = getPositiveInteger(ownProperty(finding, 'cwe'));
  const aliases = advisoryIds(finding);
  const endpoints = uniqueStrings([
    getString(ownProperty(finding, 'url')),
    ...(Array.isArray(finding.endpoints)
      ? finding.endpoints.map(endpointUrl)
      : []),
  ]).sort();
  const filePath = getString(ownProperty(finding, 'file_path'));
  const references = getString(ownProperty(finding, 'references'));
  const uniqueId = getString(ownProperty(finding, 'unique_id_from_tool'));
  const cweId = cwe ? `CWE-${cwe}` : undefined;
  return {
    fingerprint: uniqueId
      ? fingerprintOf('defectdojo-id', uniqueId)
      : fingerprintOf('defectdojo', title, cweId, filePath, ...endpoints),
    category: 'pentest',
    severity,
    ruleId: truncate(
      getString(ownProperty(finding, 'vuln_id_from_tool')) ??
        aliases[0] ??
        cweId ??
        title,
      255,
    ),
    title: truncate(title, MAX_TITLE_LENGTH),
    description: cleanDescription(
      getString(ownProperty(finding, 'description')),
      section('Impact', getString(ownProperty(finding, 'impact'))),
      section(
        'Steps to reproduce',
        getString(ownProperty(finding, 'steps_to_reproduce')),
      ),
      section('Mitigation', getString(ownProperty(finding, 'mitigation'))),
      section(
        'Endpoints',
        endpoints.length > 1 ? endpoints.join('\n') : undefined,
      ),
      section('References', references),
    ),
    aliases: cweId ? [...aliases, cweId] : aliases,
    cvssScore:
      cvssScore !== undefined && cvssScore >= 0 && cvssScore <= 10
        ? cvssScore
        : undefined,
    packageName: getString(ownProperty(finding, 'component_name')),
    packageVersion: getString(ownProperty(finding, 'component_version')),
    fixedVersion: getString(ownProperty(finding, 'fix_version')),
    locationPath: filePath,
    locationLine: getPositiveInteger(ownProperty(finding, 'line')),
    url: endpoints.map(httpUrl).find(Boolean) ?? endpoints[0],
    helpUrl: references?.split(/\s+/).map(httpUrl).find(Boolean),
    pentest: {
      tester: contextText(ownProperty(finding, 'tester')) ?? context.tester,
      engagement:
        contextText(ownProperty(finding, 'engagement')) ?? context.engagement,
      retest: retest ?? 'not-retested',
    },
  };
}

/** Collects the findings of one report, one raw finding at a time. */
function collectorFor(
  context: ReportContext,
  limits: ParseLimits,
  label: string,
) {
  const collector = new FindingCollector(limits);
  return {
    add(raw: unknown, where: string) {
      const finding = toFinding(raw, where, context, label);
      if (finding) {
        collector.add(finding);
      }
    },
    finish: () => collector.toArray(),
  };
}

/** The JSON report, read whole or one finding at a time. */
function start(report: unknown, limits: ParseLimits): ReportItemSession {
  if (!isRecord(report)) {
    throw reportError(
      JSON_LABEL,
      `expected a JSON object or the CSV as text, got ${describeValue(report)}`,
    );
  }
  requiredArray(report.findings, 'findings', JSON_LABEL);
  const collector = collectorFor(
    {
      tester: contextText(report.tester),
      engagement: contextText(report.engagement ?? report.name),
    },
    limits,
    JSON_LABEL,
  );
  return {
    item: ([, index], value) => collector.add(value, `findings[${index}]`),
    finish: collector.finish,
  };
}

const streaming: StreamingReportParser = { itemPaths: [['findings']], start };

function csvRows(text: string): string[][] {
  try {
    return parseCsv(text, {
      bom: true,
      skip_empty_lines: true,
      relax_quotes: false,
    }) as string[][];
  } catch (error) {
    const detail =
      error instanceof CsvError
        ? `${error.message.replace(/^Invalid [^:]*: /, '')}`
        : String(error);
    throw reportError(CSV_LABEL, truncate(detail, 300));
  }
}

function parseCsvReport(text: string, limits: ParseLimits) {
  const [header, ...rows] = csvRows(text);
  const keys = (header ?? []).map(columnKey);
  if (!keys.includes('title')) {
    throw reportError(
      CSV_LABEL,
      'the first row must name the columns, with at least Title (and Severity)',
    );
  }
  const collector = collectorFor({}, limits, CSV_LABEL);
  rows.forEach((cells, index) => {
    const object = new Map<string, string>();
    cells.forEach((cell, column) => {
      const key = keys[column];
      if (key && cell.trim() !== '' && !object.has(key)) {
        object.set(key, cell);
      }
    });
    // Line numbers count the header as line 1 (quoted line breaks aside).
    collector.add(Object.fromEntries(object), `line ${index + 2}`);
  });
  return collector.finish();
}

function looksLikeCsv(text: string): boolean {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  const cells = firstLine.split(',').map(columnKey);
  return cells.includes('title') && cells.includes('severity');
}

function parse(document: unknown, limits: ParseLimits): ParsedFinding[] {
  return typeof document === 'string'
    ? parseCsvReport(document, limits)
    : parseWholeDocument(streaming, document, limits);
}

function detect(document: unknown): boolean {
  if (typeof document === 'string') {
    return looksLikeCsv(document);
  }
  return (
    isRecord(document) &&
    Array.isArray(document.findings) &&
    (document.findings.length === 0 ||
      (isRecord(document.findings[0]) &&
        typeof document.findings[0].title === 'string'))
  );
}

/** DefectDojo Generic Findings Import, JSON (decoded) or CSV (as text). */
export const defectdojoParser: ReportParser = {
  format: 'defectdojo',
  description:
    'DefectDojo Generic Findings Import (pen-test results), JSON (decoded) or CSV (as text)',
  detect,
  parse,
  streaming,
};
