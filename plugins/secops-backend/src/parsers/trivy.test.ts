import { trivyParser } from './trivy';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => trivyParser.parse(doc, LIMITS);

describe('trivyParser', () => {
  it('reads the alpine 3.10 image scan', () => {
    const findings = parse(loadFixture('trivyImage'));
    expect(findings).toHaveLength(4);
    expect(severityCounts(findings)).toEqual({ medium: 4 });
    expect(findings.every(f => f.category === 'sca')).toBe(true);
    expect(findings.map(f => `${f.ruleId} ${f.packageName}`)).toEqual([
      'CVE-2019-1549 libcrypto1.1',
      'CVE-2019-1551 libcrypto1.1',
      'CVE-2019-1549 libssl1.1',
      'CVE-2019-1551 libssl1.1',
    ]);
    expect(findings[3]).toMatchObject({
      ruleId: 'CVE-2019-1551',
      severity: 'medium',
      title:
        'openssl: Integer overflow in RSAZ modular exponentiation on x86_64',
      packageName: 'libssl1.1',
      packageVersion: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r2',
      // SeveritySource nvd: V3Score 5.3 (redhat says 4.8)
      cvssScore: 5.3,
      aliases: ['CVE-2019-1551'],
      locationPath:
        'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)',
      helpUrl: 'https://avd.aquasec.com/nvd/cve-2019-1551',
    });
    expect(new Set(findings.map(f => f.fingerprint)).size).toBe(4);
  });

  it('reads the Dockerfile misconfiguration scan (no Vulnerabilities key)', () => {
    const doc = loadFixture('trivyMisconfig');
    expect(doc.Results[0].Vulnerabilities).toBeUndefined();
    const findings = parse(doc);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      category: 'misconfig',
      severity: 'high',
      ruleId: 'DS002',
      aliases: ['AVD-DS-0002'],
      title: "Image user should not be 'root'",
      locationPath: 'Dockerfile',
      helpUrl: 'https://avd.aquasec.com/misconfig/ds002',
    });
    expect(findings[0].locationLine).toBeUndefined(); // Code.Lines is null
    expect(findings[0].description).toContain(
      "Resolution: Add 'USER <non root user name>' line to the Dockerfile",
    );
  });

  it('skips misconfigurations that did not fail', () => {
    const doc = loadFixture('trivyMisconfig');
    doc.Results[0].Misconfigurations[0].Status = 'PASS';
    expect(parse(doc)).toEqual([]);
  });

  it('gives no findings for a result without a Vulnerabilities key', () => {
    const doc = loadFixture('trivyNoVulnerabilitiesKey');
    expect(Object.keys(doc.Results[0])).toEqual(['Target', 'Class', 'Type']);
    expect(parse(doc)).toEqual([]);
  });

  it('reads secrets without copying the match', () => {
    const findings = parse({
      SchemaVersion: 2,
      ArtifactName: '.',
      Results: [
        {
          Target: 'config.yaml',
          Class: 'secret',
          Secrets: [
            {
              RuleID: 'aws-access-key-id',
              Category: 'AWS',
              Severity: 'CRITICAL',
              Title: 'AWS Access Key ID',
              StartLine: 3,
              Match: 'key: ********************',
            },
          ],
        },
      ],
    });
    expect(findings).toEqual([
      expect.objectContaining({
        category: 'secret',
        severity: 'critical',
        ruleId: 'aws-access-key-id',
        locationPath: 'config.yaml',
        locationLine: 3,
      }),
    ]);
    expect(JSON.stringify(findings)).not.toContain('****');
  });

  it('falls back to the CVSS score for UNKNOWN severity', () => {
    const doc = loadFixture('trivyImage');
    const vuln = doc.Results[0].Vulnerabilities[0];
    vuln.Severity = 'UNKNOWN';
    vuln.CVSS.nvd.V3Score = 9.1;
    expect(parse(doc)[0].severity).toBe('critical');
    delete vuln.CVSS;
    expect(parse(doc)[0].severity).toBe('medium');
  });

  describe('malformed input', () => {
    it.each([
      [null, /got null/],
      [[], /got an array/],
      [{}, /SchemaVersion is missing/],
      ['a string', /got a string/],
      [{ SchemaVersion: 1, Results: [] }, /SchemaVersion 1 is not supported/],
      [{ SchemaVersion: 2, Results: 'x' }, /Results must be an array/],
      [
        { SchemaVersion: 2, Results: [null, 5] },
        /Results\[0\] must be an object/,
      ],
      [
        { SchemaVersion: 2, Results: [{ Vulnerabilities: {} }] },
        /Results\[0\]\.Vulnerabilities must be an array, got an object/,
      ],
      [
        { SchemaVersion: 2, Results: [{ Vulnerabilities: [null] }] },
        /Vulnerabilities\[0\] must be an object/,
      ],
      [
        {
          SchemaVersion: 2,
          Results: [{ Vulnerabilities: [{ PkgName: 'x' }] }],
        },
        /Vulnerabilities\[0\]\.VulnerabilityID is missing/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });
  });

  it('enforces maxFindings', () => {
    const doc = loadFixture('trivyImage');
    expect(trivyParser.parse(doc, { maxFindings: 4 })).toHaveLength(4);
    expect(
      inputErrorOf(() => trivyParser.parse(doc, { maxFindings: 3 })).message,
    ).toMatch(/more than 3 findings/);
  });
});
