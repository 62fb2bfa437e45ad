/*
 * SARIF 2.1.0, from any producer (Semgrep, CodeQL, ESLint, Bandit, gosec,
 * Checkov, gitleaks, Trivy, …).
 *
 * Judgement calls:
 * - Results whose `kind` is `pass` or `notApplicable`, whose `baselineState`
 *   is `absent`, or that carry an accepted suppression (a suppression without
 *   status, or with status `accepted`) are not findings and are skipped.
 * - Severity comes from `result.level`, else the rule's
 *   `defaultConfiguration.level`, and is upgraded (never lowered) by a CVSS
 *   `security-severity` on the result or rule, Bandit's `issue_severity`, or a
 *   Trivy "Severity: X" message line. When none of these is present, secrets
 *   are high (a committed credential is never "medium") and everything else
 *   gets SARIF's default level `warning`, i.e. medium.
 * - Results without a rule id (gitleaks 7) get the id of the driver rule whose
 *   id or name starts their message ("AWS Access Key secret detected" ->
 *   "AWS Access Key"), else a stable id hashed from the message.
 * - Fingerprints: `partialFingerprints`, else `fingerprints` (keys sorted);
 *   else for packages (Trivy) the package; else the snippet or message with
 *   line references removed. Line numbers are never part of a fingerprint,
 *   so the same snippet twice in a file is one finding, and a secret reported
 *   in several commits (gitleaks history scans) is one finding.
 * - The matched text of a secret (snippet, offender) is never copied into the
 *   finding, only hashed.
 *
 * One file (above 500 lines): the judgement calls above all apply to one
 * result at a time; split across files, they would no longer sit under this
 * list.
 */
import {
  FindingCategory,
  ParsedFinding,
  Severity,
} from '@portal/plugin-secops-common';
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
  MAX_TITLE_LENGTH,
  normaliseForFingerprint,
  normaliseSeverity,
  optionalArray,
  ownProperty,
  recordOrUndefined,
  reportError,
  requiredArray,
  requiredRecord,
  requiredRootObject,
  severityFromCvss,
  truncate,
  worstSeverity,
} from './common';

const LABEL = 'Not a SARIF 2.1.0 report';

const SECRET_TOOLS = [
  'gitleaks',
  'trufflehog',
  'detect-secrets',
  'ggshield',
  'gitguardian',
  'secretlint',
  'talisman',
];
const MISCONFIG_TOOLS = [
  'checkov',
  'tfsec',
  'kics',
  'hadolint',
  'terrascan',
  'cfn-lint',
  'cfn_nag',
  'kube-linter',
  'kubesec',
  'trivy-config',
];

// A rule "looks like a secret rule" when its id or name speaks of secrets,
// keys or tokens, or of passwords / credentials that are hard-coded or leaked
// (so that "insufficient-password-hash" stays SAST).
const SECRET_RULE =
  /(^|[^a-z])(secrets?|api[-_ ]?keys?|private[-_ ]?keys?|access[-_ ]?keys?|secret[-_ ]?keys?|access[-_ ]?tokens?|auth[-_ ]?tokens?|(personal|oauth|bearer|refresh|slack|github|gitlab|npm|pypi)[-_ ]?(access[-_ ]?)?tokens?)([^a-z]|$)/i;
const PASSWORD_WORD = /(^|[^a-z])(passwords?|passwd|credentials?)([^a-z]|$)/i;
const LEAK_WORD =
  /hard[-_ ]?coded|plain[-_ ]?text|clear[-_ ]?text|leak|exposed|embedded|committed/i;

function looksLikeSecretRule(text: string): boolean {
  return (
    SECRET_RULE.test(text) || (PASSWORD_WORD.test(text) && LEAK_WORD.test(text))
  );
}
const MISCONFIG_RULE = /^(AVD-[A-Z]+-\d+|DS\d{3}|CKV2?_[A-Z0-9_]+|KSV\d+)$/i;
const ADVISORY_RULE =
  /^(CVE-\d{4}-\d{4,}|GHSA(-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|RUSTSEC-\d{4}-\d+|GO-\d{4}-\d+|MAL-\d{4}-\d+|OSV-\d{4}-\d+)$/i;

const LEVEL_SEVERITY = new Map<string, Severity>([
  ['error', 'high'],
  ['warning', 'medium'],
  ['note', 'low'],
  ['none', 'info'],
]);

interface RunContext {
  runIndex: number;
  toolName: string;
  rules: JsonObject[];
  rulesById: Map<string, JsonObject>;
  extensions: JsonObject[];
  artifacts: unknown[];
  baseUris: Array<[string, string]>;
}

function textOf(message: unknown): string | undefined {
  return isRecord(message) ? getString(message.text) : undefined;
}

/** Rules of a tool component, validated to be objects (others are ignored). */
function rulesOf(component: unknown): JsonObject[] {
  return isRecord(component)
    ? arrayOrEmpty(component.rules).filter(isRecord)
    : [];
}

function buildRunContext(run: JsonObject, runIndex: number): RunContext {
  const tool = requiredRecord(run.tool, `runs[${runIndex}].tool`, LABEL);
  const driver = requiredRecord(
    tool.driver,
    `runs[${runIndex}].tool.driver`,
    LABEL,
  );
  const toolName = getString(driver.name) ?? 'unknown';
  const rules = rulesOf(driver);
  const extensions = arrayOrEmpty(tool.extensions).filter(isRecord);
  const rulesById = new Map<string, JsonObject>();
  for (const rule of [...rules, ...extensions.flatMap(rulesOf)]) {
    const id = getString(rule.id);
    if (id && !rulesById.has(id)) {
      rulesById.set(id, rule);
    }
  }
  const baseUris: Array<[string, string]> = [];
  const originalUriBaseIds = recordOrUndefined(run.originalUriBaseIds);
  if (originalUriBaseIds) {
    for (const [key, value] of Object.entries(originalUriBaseIds)) {
      const uri = isRecord(value) ? getString(value.uri) : undefined;
      if (uri) {
        baseUris.push([key, uri]);
      }
    }
  }
  return {
    runIndex,
    toolName,
    rules,
    rulesById,
    extensions,
    artifacts: arrayOrEmpty(run.artifacts),
    baseUris,
  };
}

/** The rule object a result refers to, if it can be found. */
function findRule(
  result: JsonObject,
  ctx: RunContext,
  ruleId: string | undefined,
): JsonObject | undefined {
  const ref = recordOrUndefined(result.rule);
  let rules = ctx.rules;
  const componentIndex = getNumber(
    recordOrUndefined(ref?.toolComponent)?.index,
  );
  if (componentIndex !== undefined) {
    rules = rulesOf(ctx.extensions[componentIndex]);
  }
  const index = getNumber(ref?.index) ?? getNumber(result.ruleIndex);
  if (index !== undefined && index >= 0 && Number.isInteger(index)) {
    const byIndex = rules[index];
    if (byIndex) {
      return byIndex;
    }
  }
  return ruleId ? ctx.rulesById.get(ruleId) : undefined;
}

/**
 * The rule id of a result without one (gitleaks 7): the id of the driver rule
 * whose id or name starts the message, the longest such, else a hash of the
 * message.
 */
function deriveRuleId(text: string | undefined, ctx: RunContext): string {
  const message = (text ?? '').toLowerCase();
  let best: string | undefined;
  if (message) {
    for (const [id, rule] of ctx.rulesById) {
      for (const candidate of [id, getString(rule.name)]) {
        if (
          candidate &&
          message.startsWith(candidate.toLowerCase()) &&
          (!best || candidate.length > best.length)
        ) {
          best = id;
        }
      }
    }
  }
  if (best) {
    return best;
  }
  const normalised = normaliseForFingerprint(firstLine(text, 500) ?? '');
  return `${ctx.toolName.toLowerCase()}-${fingerprintOf(normalised).slice(
    0,
    12,
  )}`;
}

/** The message text with `{0}` placeholders replaced by its arguments. */
function messageText(
  result: JsonObject,
  rule: JsonObject | undefined,
): string | undefined {
  const message = recordOrUndefined(result.message);
  if (!message) {
    return undefined;
  }
  let text = getString(message.text);
  const messageId = getString(message.id);
  if (!text && messageId && rule) {
    text = textOf(
      ownProperty(recordOrUndefined(rule.messageStrings), messageId),
    );
  }
  if (!text) {
    return undefined;
  }
  const args = arrayOrEmpty(message.arguments);
  if (args.length > 0) {
    text = text.replace(/\{(\d+)\}/g, (whole, n: string) => {
      const arg = args[Number(n)];
      return typeof arg === 'string' || typeof arg === 'number'
        ? String(arg)
        : whole;
    });
  }
  return text;
}

function cleanUri(raw: string, ctx: RunContext): string {
  let uri = raw;
  for (const [, base] of ctx.baseUris) {
    if (base.startsWith('file:') && uri.startsWith(base)) {
      uri = uri.slice(base.length);
      break;
    }
  }
  uri = uri.replace(/^file:\/\/(localhost)?/i, '');
  if (/^\/[a-z]:\//i.test(uri)) {
    uri = uri.slice(1); // file:///C:/x -> C:/x
  }
  try {
    uri = decodeURIComponent(uri);
  } catch {
    // Not percent-encoded after all: keep it as it is.
  }
  while (uri.startsWith('./')) {
    uri = uri.slice(2);
  }
  return uri;
}

interface Location {
  path?: string;
  line?: number;
  snippet?: string;
}

function locationOf(result: JsonObject, ctx: RunContext): Location {
  const first = arrayOrEmpty(result.locations).find(isRecord);
  const physical = recordOrUndefined(first?.physicalLocation);
  if (!physical) {
    return {};
  }
  const artifact = recordOrUndefined(physical.artifactLocation);
  let uri = getString(artifact?.uri);
  const artifactIndex = getNumber(artifact?.index);
  if (!uri && artifactIndex !== undefined) {
    const entry = ctx.artifacts[artifactIndex];
    uri = isRecord(entry)
      ? getString(recordOrUndefined(entry.location)?.uri)
      : undefined;
  }
  const region = recordOrUndefined(physical.region);
  const contextRegion = recordOrUndefined(physical.contextRegion);
  return {
    path: uri ? cleanUri(uri, ctx) : undefined,
    line: getPositiveInteger(region?.startLine),
    snippet:
      textOf(region?.snippet) ?? textOf(contextRegion?.snippet) ?? undefined,
  };
}

function isSkipped(result: JsonObject): boolean {
  const kind = getString(result.kind);
  if (kind === 'pass' || kind === 'notApplicable') {
    return true;
  }
  if (getString(result.baselineState) === 'absent') {
    return true;
  }
  return arrayOrEmpty(result.suppressions).some(suppression => {
    if (!isRecord(suppression)) {
      return false;
    }
    const status = getString(suppression.status);
    return status === undefined || status === 'accepted';
  });
}

function categoryOf(
  toolName: string,
  ruleId: string,
  rule: JsonObject | undefined,
): FindingCategory {
  const tool = toolName.toLowerCase();
  const tags = arrayOrEmpty(recordOrUndefined(rule?.properties)?.tags)
    .filter((t): t is string => typeof t === 'string')
    .map(t => t.toLowerCase());
  // Personal data (the portal's own scanner tags its rules `pii`).
  if (tags.includes('pii')) {
    return 'pii';
  }
  if (SECRET_TOOLS.some(name => tool.includes(name))) {
    return 'secret';
  }
  if (MISCONFIG_TOOLS.some(name => tool.includes(name))) {
    return 'misconfig';
  }
  if (ADVISORY_RULE.test(ruleId)) {
    return 'sca';
  }
  if (MISCONFIG_RULE.test(ruleId) || tags.includes('misconfiguration')) {
    return 'misconfig';
  }
  const ruleName = getString(rule?.name) ?? '';
  if (
    tags.includes('secret') ||
    looksLikeSecretRule(ruleId) ||
    looksLikeSecretRule(ruleName)
  ) {
    return 'secret';
  }
  if (tags.includes('vulnerability') && tool.includes('trivy')) {
    return 'sca';
  }
  return 'sast';
}

function securitySeverity(props: JsonObject | undefined) {
  const score = getNumber(props?.['security-severity']);
  return score !== undefined && score >= 0 && score <= 10 ? score : undefined;
}

/** "Key: value" lines of a Trivy message. */
function trivyField(text: string | undefined, key: string) {
  if (!text) {
    return undefined;
  }
  const match = new RegExp(`^\\s*${key}:[ \\t]*(.+?)\\s*$`, 'im').exec(text);
  return match ? getString(match[1]) : undefined;
}

function severityOf(
  result: JsonObject,
  rule: JsonObject | undefined,
  category: FindingCategory,
  text: string | undefined,
): { severity: Severity; cvssScore?: number } {
  const level =
    getString(result.level) ??
    getString(recordOrUndefined(rule?.defaultConfiguration)?.level);
  const stated = level ? LEVEL_SEVERITY.get(level) : undefined;
  const resultProps = recordOrUndefined(result.properties);
  const ruleProps = recordOrUndefined(rule?.properties);
  const cvssScore =
    securitySeverity(resultProps) ?? securitySeverity(ruleProps);
  const extra = worstSeverity([
    severityFromCvss(cvssScore),
    normaliseSeverity(resultProps?.issue_severity),
    normaliseSeverity(ruleProps?.issue_severity),
    normaliseSeverity(trivyField(text, 'Severity')),
  ]);
  const severity =
    worstSeverity([stated, extra]) ??
    (category === 'secret' ? 'high' : 'medium');
  return { severity, cvssScore };
}

function fingerprintFrom(
  result: JsonObject,
  parts: { tool: string; ruleId: string; path?: string },
): string | undefined {
  for (const key of ['partialFingerprints', 'fingerprints']) {
    const prints = recordOrUndefined(result[key]);
    if (!prints) {
      continue;
    }
    const entries = Object.entries(prints)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    if (entries.length > 0) {
      return fingerprintOf(
        'sarif',
        key,
        parts.tool,
        parts.ruleId,
        parts.path,
        ...entries,
      );
    }
  }
  return undefined;
}

function parseResult(
  result: JsonObject,
  ctx: RunContext,
): ParsedFinding | undefined {
  if (isSkipped(result)) {
    return undefined;
  }
  const ref = recordOrUndefined(result.rule);
  let ruleId = getString(result.ruleId) ?? getString(ref?.id);
  const indexedRule = findRule(result, ctx, ruleId);
  ruleId = ruleId ?? getString(indexedRule?.id);
  const text0 = messageText(result, indexedRule);
  if (!ruleId) {
    ruleId = deriveRuleId(text0, ctx);
  }
  const rule = indexedRule ?? ctx.rulesById.get(ruleId);
  const text = text0 ?? messageText(result, rule);

  const category = categoryOf(ctx.toolName, ruleId, rule);
  const { severity, cvssScore } = severityOf(result, rule, category, text);
  const location = locationOf(result, ctx);

  const packageName = trivyField(text, 'Package');
  const packageVersion = trivyField(text, 'Installed Version');
  const fixedVersion = trivyField(text, 'Fixed Version');

  const tool = ctx.toolName.toLowerCase();
  const fingerprint =
    fingerprintFrom(result, { tool, ruleId, path: location.path }) ??
    (packageName
      ? fingerprintOf(
          'sarif-package',
          tool,
          ruleId,
          location.path,
          packageName,
          packageVersion,
        )
      : fingerprintOf(
          'sarif',
          tool,
          ruleId,
          location.path,
          normaliseForFingerprint(location.snippet ?? text ?? ''),
        ));

  const shortDescription = textOf(rule?.shortDescription);
  const title =
    firstLine(shortDescription) ??
    firstLine(text) ??
    firstLine(getString(rule?.name)) ??
    truncate(ruleId, MAX_TITLE_LENGTH);
  const fullDescription = textOf(rule?.fullDescription);
  const description = cleanDescription(
    text && text.trim() !== title ? text : undefined,
    fullDescription !== text ? fullDescription : undefined,
  );

  return {
    fingerprint,
    category,
    severity,
    ruleId,
    title,
    description,
    aliases: ADVISORY_RULE.test(ruleId) ? [ruleId] : undefined,
    cvssScore,
    packageName,
    packageVersion,
    fixedVersion,
    locationPath: location.path,
    locationLine: location.line,
    helpUrl: httpUrl(rule?.helpUri),
  };
}

const itemPaths = [['runs', '*', 'results']];

/** Validates the report without its results and reads each run's rules. */
function start(report: unknown, limits: ParseLimits): ReportItemSession {
  const document = requiredRootObject(report, LABEL);
  const runs = requiredArray(document.runs, 'runs', LABEL);
  if (document.version !== undefined && document.version !== '2.1.0') {
    throw reportError(
      LABEL,
      `version is ${JSON.stringify(document.version)}, expected "2.1.0"`,
    );
  }
  const contexts = runs.map((runValue, runIndex) => {
    const run = requiredRecord(runValue, `runs[${runIndex}]`, LABEL);
    optionalArray(run.results, `runs[${runIndex}].results`, LABEL);
    return buildRunContext(run, runIndex);
  });
  const collector = new FindingCollector(limits);
  return {
    item([, runIndex, , resultIndex], value) {
      const result = requiredRecord(
        value,
        `runs[${runIndex}].results[${resultIndex}]`,
        LABEL,
      );
      const finding = parseResult(result, contexts[Number(runIndex)]);
      if (finding) {
        collector.add(finding);
      }
    },
    finish: () => collector.toArray(),
  };
}

const streaming: StreamingReportParser = { itemPaths, start };

function detect(document: unknown): boolean {
  if (!isRecord(document) || !Array.isArray(document.runs)) {
    return false;
  }
  const schema = getString(document.$schema) ?? '';
  return document.version === '2.1.0' || /sarif/i.test(schema);
}

/** SARIF 2.1.0 from any static analysis, secret or IaC scanner. */
export const sarifParser: ReportParser = {
  format: 'sarif',
  description:
    'SARIF 2.1.0 (Semgrep, CodeQL, ESLint, Bandit, gosec, Checkov, gitleaks, Trivy, …)',
  detect,
  parse: (document, limits) => parseWholeDocument(streaming, document, limits),
  streaming,
};
