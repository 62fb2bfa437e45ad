/*
 * The scanner's matches as SecOps findings, for the portal's own sweep of
 * the catalog and local repositories: category pii (or secret), a masked
 * title, the place, and a fingerprint of the rule and place (never of the
 * value), so that the same scan twice is the same findings.
 */
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';
import { createHash } from 'node:crypto';
import { PII_RULES, PiiKind } from './rules';
import { PiiFileMatch } from './scan';

/** How serious each kind is: what can be used at once is high. */
export const PII_SEVERITY: Record<PiiKind, Severity> = {
  secret: 'high',
  'payment-card': 'high',
  'national-id': 'high',
  iban: 'medium',
  email: 'medium',
  phone: 'medium',
};

/** A finding per match; `file` is where it was (a path, or a catalog field). */
export function piiFindings(
  matches: ReadonlyArray<PiiFileMatch>,
): ParsedFinding[] {
  return matches.map(match => {
    const rule = PII_RULES.find(r => r.id === match.rule);
    return {
      fingerprint: createHash('sha256')
        .update(
          ['pii', match.rule, match.file, match.line, match.column].join('\0'),
        )
        .digest('hex'),
      category: match.kind === 'secret' ? 'secret' : 'pii',
      severity: PII_SEVERITY[match.kind],
      ruleId: `pii/${match.rule}`,
      title: `${rule?.title ?? match.rule}: ${match.masked}`,
      description: `${rule?.title ?? match.rule} in ${match.file}, line ${
        match.line
      }. The value is not stored; remove it, or replace it with a placeholder.`,
      locationPath: match.file,
      locationLine: match.line,
    };
  });
}
