/*
 * OWASP ZAP traditional reports: JSON (`site[].alerts[]`, decoded) and XML
 * (`<OWASPZAPReport><site><alerts><alertitem>…`, given as text).
 *
 * - One finding per alert per instance (URI + method + param); an alert
 *   without instances is one finding for the site. ZAP caps the instances it
 *   lists (`count` may be larger): only listed instances become findings.
 * - Severity from riskcode 0-3 (info, low, medium, high), else from the first
 *   word of riskdesc. Alerts with confidence 0 (ZAP's "false positive") are
 *   skipped.
 * - The fingerprint is the plugin id + alert name (script-raised alerts share
 *   plugin ids such as 100000 for different alerts) + method + URI + param.
 * - `url` keeps only http(s) URIs; HTML tags are stripped from desc, solution
 *   and otherinfo; helpUrl is the first http(s) line of `reference`.
 * - XML: DOCTYPE / ENTITY declarations are refused (no entity expansion of
 *   untrusted input), and the text must be well-formed.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';
import { ParseLimits, ReportParser } from '@portal/plugin-secops-node';
import {
  FindingCollector,
  JsonObject,
  arrayOrEmpty,
  cleanDescription,
  describeValue,
  fingerprintOf,
  firstLine,
  getNumber,
  getString,
  httpUrl,
  isRecord,
  normaliseSeverity,
  optionalArray,
  recordOrUndefined,
  reportError,
  requiredRecord,
  stripHtml,
  truncate,
} from './common';

const JSON_LABEL = 'Not an OWASP ZAP JSON report';
const XML_LABEL = 'Not an OWASP ZAP XML report';

const RISK_SEVERITY: Severity[] = ['info', 'low', 'medium', 'high'];

const XML_START =
  /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<OWASPZAPReport[\s>/]/;

function looksLikeZapXml(text: string): boolean {
  return XML_START.test(text.slice(0, 4096));
}

/** Parses the XML report into the shape of the JSON report. */
function fromXml(text: string): JsonObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw reportError(
      XML_LABEL,
      'DOCTYPE and ENTITY declarations are not allowed',
    );
  }
  if (!looksLikeZapXml(text)) {
    throw reportError(
      XML_LABEL,
      'the text does not start with an <OWASPZAPReport> element',
    );
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw reportError(
      XML_LABEL,
      `the XML is not well-formed at line ${line}, column ${col}: ${msg}`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (tagName: string) =>
      tagName === 'site' || tagName === 'alertitem' || tagName === 'instance',
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw reportError(
      XML_LABEL,
      `the XML could not be read: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const rootValue = isRecord(parsed) ? parsed.OWASPZAPReport : undefined;
  // An empty element (no site scanned) is read as an empty string.
  const root = rootValue === '' ? {} : recordOrUndefined(rootValue);
  if (!root) {
    throw reportError(XML_LABEL, 'the root element must be <OWASPZAPReport>');
  }
  return {
    '@version': root['@version'],
    site: arrayOrEmpty(root.site).map(site => {
      if (!isRecord(site)) {
        return site;
      }
      return {
        ...site,
        alerts: arrayOrEmpty(recordOrUndefined(site.alerts)?.alertitem).map(
          item =>
            isRecord(item) && item.instances !== undefined
              ? {
                  ...item,
                  instances: arrayOrEmpty(
                    recordOrUndefined(item.instances)?.instance,
                  ),
                }
              : item,
        ),
      };
    }),
  };
}

function severityOf(alert: JsonObject, path: string, label: string): Severity {
  const risk = getNumber(alert.riskcode);
  if (risk !== undefined && Number.isInteger(risk) && risk >= 0 && risk <= 3) {
    return RISK_SEVERITY[risk];
  }
  const fromDesc = normaliseSeverity(
    getString(alert.riskdesc)?.split(/[\s(]/)[0],
  );
  if (fromDesc) {
    return fromDesc;
  }
  throw reportError(
    label,
    `${path}.riskcode must be 0, 1, 2 or 3, got ${
      alert.riskcode === undefined ? 'nothing' : JSON.stringify(alert.riskcode)
    }`,
  );
}

function helpUrlOf(reference: unknown): string | undefined {
  const text = stripHtml(getString(reference));
  return text
    ?.split(/\s+/)
    .map(token => httpUrl(token))
    .find(Boolean);
}

interface Instance {
  uri?: string;
  method?: string;
  param?: string;
  attack?: string;
  evidence?: string;
}

function instancesOf(
  alert: JsonObject,
  path: string,
  label: string,
): Instance[] {
  const read = (value: JsonObject): Instance => ({
    uri: getString(value.uri),
    method: getString(value.method),
    param: getString(value.param),
    attack: getString(value.attack),
    evidence: getString(value.evidence),
  });
  const listed = optionalArray(alert.instances, `${path}.instances`, label);
  if (listed.length > 0) {
    return listed.map((value, index) =>
      read(requiredRecord(value, `${path}.instances[${index}]`, label)),
    );
  }
  // Old reports put one instance's fields on the alert itself.
  return [read(alert)];
}

function parseReport(
  report: JsonObject,
  limits: ParseLimits,
  label: string,
): ParsedFinding[] {
  const siteValue = report.site;
  if (siteValue === undefined) {
    throw reportError(label, 'site is missing');
  }
  const sites = isRecord(siteValue) ? [siteValue] : siteValue;
  if (!Array.isArray(sites)) {
    throw reportError(
      label,
      `site must be an array, got ${describeValue(siteValue)}`,
    );
  }
  const collector = new FindingCollector(limits);
  sites.forEach((value, siteIndex) => {
    const sitePath = `site[${siteIndex}]`;
    const site = requiredRecord(value, sitePath, label);
    const siteName = getString(site['@name']);
    optionalArray(site.alerts, `${sitePath}.alerts`, label).forEach(
      (alertValue, alertIndex) => {
        const path = `${sitePath}.alerts[${alertIndex}]`;
        const alert = requiredRecord(alertValue, path, label);
        const pluginId = getString(alert.pluginid);
        if (!pluginId) {
          throw reportError(label, `${path}.pluginid is missing`);
        }
        if (getNumber(alert.confidence) === 0) {
          return; // marked as a false positive in ZAP
        }
        const name =
          getString(alert.alert) ?? getString(alert.name) ?? pluginId;
        const severity = severityOf(alert, path, label);
        const alertDescription = cleanDescription(
          stripHtml(getString(alert.desc)),
          stripHtml(getString(alert.solution))
            ? `Solution: ${stripHtml(getString(alert.solution))}`
            : undefined,
          stripHtml(getString(alert.otherinfo)),
        );
        const helpUrl = helpUrlOf(alert.reference);
        for (const instance of instancesOf(alert, path, label)) {
          const uri = instance.uri ?? siteName;
          const request = [
            instance.method && uri ? `${instance.method} ${uri}` : uri,
            instance.param ? `Parameter: ${instance.param}` : undefined,
            instance.attack ? `Attack: ${instance.attack}` : undefined,
            instance.evidence
              ? `Evidence: ${truncate(instance.evidence, 500)}`
              : undefined,
          ]
            .filter(Boolean)
            .join('\n');
          collector.add({
            fingerprint: fingerprintOf(
              'zap',
              pluginId,
              name,
              instance.method,
              uri,
              instance.param,
            ),
            category: 'dast',
            severity,
            ruleId: pluginId,
            title: firstLine(name) ?? pluginId,
            description: cleanDescription(alertDescription, request),
            locationPath: siteName,
            url: httpUrl(uri),
            helpUrl,
          });
        }
      },
    );
  });
  return collector.toArray();
}

function parse(document: unknown, limits: ParseLimits): ParsedFinding[] {
  if (typeof document === 'string') {
    return parseReport(fromXml(document), limits, XML_LABEL);
  }
  if (!isRecord(document)) {
    throw reportError(
      JSON_LABEL,
      `expected a JSON object or the XML report as text, got ${describeValue(
        document,
      )}`,
    );
  }
  return parseReport(document, limits, JSON_LABEL);
}

function detect(document: unknown): boolean {
  if (typeof document === 'string') {
    return looksLikeZapXml(document);
  }
  if (!isRecord(document)) {
    return false;
  }
  const site = document.site;
  const firstSite = Array.isArray(site) ? site[0] : site;
  if (!Array.isArray(site) && !isRecord(site)) {
    return false;
  }
  return (
    typeof document['@version'] === 'string' ||
    typeof document['@programName'] === 'string' ||
    (isRecord(firstSite) && Array.isArray(firstSite.alerts))
  );
}

/** OWASP ZAP traditional JSON and XML reports. */
export const zapParser: ReportParser = {
  format: 'zap',
  description: 'OWASP ZAP traditional report, JSON (decoded) or XML (as text)',
  detect,
  parse,
};
