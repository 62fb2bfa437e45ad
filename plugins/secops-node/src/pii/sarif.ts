/*
 * The personal-data scanner's results as a SARIF 2.1.0 log, the format CI
 * uploads to SecOps (POST /reports?format=sarif): one rule per kind of
 * value, tagged `pii` (or `secret`), each result with its file, line,
 * column and masked value. The fingerprint is the rule, file, line and
 * column: re-uploading the same scan is idempotent, and nothing in the log
 * can be hashed back to the value.
 */
import { createHash } from 'node:crypto';
import { PII_SEVERITY } from './findings';
import { PII_RULES, PiiKind } from './rules';
import { PiiFileMatch } from './scan';

/** The tool name the log carries (SecOps groups findings by it). */
export const PII_SCANNER_NAME = 'portal-pii-scanner';

/** SARIF's level of each kind: high severities are errors. */
const levelOf = (kind: PiiKind) =>
  PII_SEVERITY[kind] === 'high' ? ('error' as const) : ('warning' as const);

/** A SARIF log of these matches, paths relative to the repository root. */
export function piiSarif(
  matches: ReadonlyArray<PiiFileMatch>,
  version = '1.0.0',
): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: PII_SCANNER_NAME,
            version,
            informationUri:
              'https://backstage.internal/docs/default/component/portal/security/#personal-data',
            rules: PII_RULES.map(rule => ({
              id: `pii/${rule.id}`,
              name: rule.title,
              shortDescription: { text: `${rule.title} in a repository file` },
              defaultConfiguration: { level: levelOf(rule.kind) },
              properties: {
                tags: [rule.kind === 'secret' ? 'secret' : 'pii', rule.kind],
              },
            })),
          },
        },
        results: matches.map(match => ({
          ruleId: `pii/${match.rule}`,
          level: levelOf(match.kind),
          message: {
            text: `${PII_RULES.find(r => r.id === match.rule)?.title}: ${
              match.masked
            }`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: match.file },
                region: {
                  startLine: match.line,
                  startColumn: match.column,
                  endColumn: match.column + match.length,
                },
              },
            },
          ],
          partialFingerprints: {
            'portalPii/v1': createHash('sha256')
              .update(
                [match.rule, match.file, match.line, match.column].join('\0'),
              )
              .digest('hex'),
          },
        })),
      },
    ],
  };
}
