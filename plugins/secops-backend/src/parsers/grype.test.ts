import { grypeParser } from './grype';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => grypeParser.parse(doc, LIMITS);

describe('grypeParser', () => {
  it('reads the presenter golden file', () => {
    const findings = parse(loadFixture('grype'));
    expect(findings).toHaveLength(2);
    expect(severityCounts(findings)).toEqual({ low: 1, critical: 1 });
    expect(findings[0]).toMatchObject({
      category: 'sca',
      ruleId: 'CVE-1999-0001',
      // Grype's severity (Low) wins over the NVD base score 8.2
      severity: 'low',
      cvssScore: 8.2,
      packageName: 'package-1',
      packageVersion: '1.1.1',
      // fix.versions 1.2.1, 2.1.3, 3.4.0: the suggested one for 1.1.1
      fixedVersion: '1.2.1',
      locationPath: '/foo/bar/somefile-1.txt',
      title: 'CVE-1999-0001 in package-1',
    });
    expect(findings[1]).toMatchObject({
      ruleId: 'CVE-1999-0002',
      severity: 'critical',
      cvssScore: 8.5,
      packageName: 'package-2',
      packageVersion: '2.2.2',
      locationPath: '/foo/bar/somefile-2.txt',
    });
    // fix.state is "" -> no fixed version
    expect(findings[1].fixedVersion).toBeUndefined();
  });

  it('lists every fix version without a suggestion, none unless fixed', () => {
    const doc = loadFixture('grype');
    doc.matches[0].matchDetails[0].fix = undefined;
    expect(parse(doc)[0].fixedVersion).toBe('1.2.1, 2.1.3, 3.4.0');
    doc.matches[0].vulnerability.fix.state = 'not-fixed';
    expect(parse(doc)[0].fixedVersion).toBeUndefined();
  });

  it('uses related vulnerabilities for unknown severity and aliases', () => {
    const doc = loadFixture('grype');
    const match = doc.matches[0];
    match.vulnerability.id = 'GHSA-aaaa-bbbb-cccc';
    match.vulnerability.severity = 'Unknown';
    match.vulnerability.cvss = [];
    match.relatedVulnerabilities = [
      {
        id: 'CVE-2024-0001',
        severity: 'High',
        cvss: [{ version: '3.1', metrics: { baseScore: 7.5 } }],
      },
    ];
    expect(parse(doc)[0]).toMatchObject({
      severity: 'high',
      cvssScore: 7.5,
      aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001'],
    });
  });

  describe('malformed input', () => {
    it.each([
      [null, /got null/],
      [[], /got an array/],
      [{}, /matches is missing/],
      ['a string', /got a string/],
      [{ matches: 'x' }, /matches must be an array/],
      [{ matches: [null, 5] }, /matches\[0\] must be an object/],
      [{ matches: [{}] }, /matches\[0\]\.vulnerability must be an object/],
      [
        { matches: [{ vulnerability: { id: 'X' }, artifact: 'y' }] },
        /matches\[0\]\.artifact must be an object, got a string/,
      ],
      [
        { matches: [{ vulnerability: {}, artifact: { name: 'y' } }] },
        /vulnerability\.id is missing/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });
  });

  it('enforces maxFindings', () => {
    expect(
      inputErrorOf(() =>
        grypeParser.parse(loadFixture('grype'), { maxFindings: 1 }),
      ).message,
    ).toMatch(/more than 1 findings/);
  });
});
