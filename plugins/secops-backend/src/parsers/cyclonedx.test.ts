import { cyclonedxParser, versionsFromRecommendation } from './cyclonedx';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => cyclonedxParser.parse(doc, LIMITS);

describe('cyclonedxParser', () => {
  describe('CycloneDX VEX example (jackson-databind)', () => {
    it('skips the vulnerability marked not_affected', () => {
      const doc = loadFixture('cyclonedxVex');
      expect(doc.vulnerabilities[0].analysis.state).toBe('not_affected');
      expect(parse(doc)).toEqual([]);
    });

    it.each(['false_positive', 'resolved', 'resolved_with_pedigree'])(
      'skips state %s',
      state => {
        const doc = loadFixture('cyclonedxVex');
        doc.vulnerabilities[0].analysis.state = state;
        expect(parse(doc)).toEqual([]);
      },
    );

    it('reports it when exploitable, with the package from the BOM-Link purl', () => {
      const doc = loadFixture('cyclonedxVex');
      doc.vulnerabilities[0].analysis.state = 'exploitable';
      // analysis.response is a string here (the spec says array): tolerated
      expect(typeof doc.vulnerabilities[0].analysis.response).toBe('string');
      const findings = parse(doc);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        category: 'sca',
        ruleId: 'CVE-2020-25649',
        // ratings: high (7.5), high (8.2), none (0.0) -> the worst is high
        severity: 'high',
        cvssScore: 8.2,
        packageName: 'com.fasterxml.jackson.core:jackson-databind',
        packageVersion: '2.10.0',
        fixedVersion: '2.6.7.4, 2.9.10.7, 2.10.5.1',
        aliases: [
          'CVE-2020-25649',
          'SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302',
        ],
        helpUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2020-25649',
      });
      expect(findings[0].description).toContain('XML External Entity');
    });

    it('treats in_triage and a missing analysis as findings', () => {
      const doc = loadFixture('cyclonedxVex');
      doc.vulnerabilities[0].analysis.state = 'in_triage';
      expect(parse(doc)).toHaveLength(1);
      delete doc.vulnerabilities[0].analysis;
      expect(parse(doc)).toHaveLength(1);
    });
  });

  describe('Trivy CycloneDX (centos 7)', () => {
    it('reads every vulnerability with its package and fix', () => {
      const findings = parse(loadFixture('cyclonedxTrivy'));
      expect(findings).toHaveLength(3);
      expect(severityCounts(findings)).toEqual({ high: 1, medium: 2 });
      expect(findings.map(f => f.ruleId)).toEqual([
        'CVE-2019-18276',
        'CVE-2019-1559',
        'CVE-2018-0734',
      ]);

      const bash = findings[0];
      expect(bash).toMatchObject({
        category: 'sca',
        // vendor ratings high, high, high, low, high, low, low -> high
        severity: 'high',
        cvssScore: 7.8,
        packageName: 'bash',
        packageVersion: '4.2.46-31.el7',
        locationPath: 'integration/testdata/fixtures/images/centos-7.tar.gz',
        helpUrl: 'https://access.redhat.com/security/cve/CVE-2019-18276',
      });
      expect(bash.fixedVersion).toBeUndefined();
      expect(bash.title).toBe(
        'An issue was discovered in disable_priv_mode in shell.c in GNU Bash through 5.0 patch 11.',
      );

      expect(findings[1]).toMatchObject({
        ruleId: 'CVE-2019-1559',
        severity: 'medium',
        packageName: 'openssl-libs',
        packageVersion: '1:1.0.2k-16.el7',
        fixedVersion: '1:1.0.2k-19.el7',
      });
    });

    it('fingerprints by purl, not by the BOM serial number of the BOM-Link', () => {
      const before = parse(loadFixture('cyclonedxTrivy'));
      const doc = loadFixture('cyclonedxTrivy');
      for (const vuln of doc.vulnerabilities) {
        for (const affect of vuln.affects) {
          affect.ref = affect.ref.replace(
            '1455c02d-64ca-453e-a5df-ddfb70a7c804/1',
            '00000000-0000-0000-0000-000000000000/7',
          );
        }
      }
      expect(parse(doc).map(f => f.fingerprint)).toEqual(
        before.map(f => f.fingerprint),
      );
      // same CVE-free purl, other CVE -> other fingerprint
      expect(before[1].fingerprint).not.toBe(before[2].fingerprint);
    });
  });

  it('resolves affects refs against (nested) components, one finding each', () => {
    const findings = parse({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        {
          'bom-ref': 'app',
          name: 'app',
          components: [
            {
              'bom-ref': 'lodash-ref',
              name: 'lodash',
              version: '4.17.20',
              purl: 'pkg:npm/lodash@4.17.20',
            },
            { 'bom-ref': 'left-pad', name: 'left-pad', version: '1.0.0' },
          ],
        },
      ],
      vulnerabilities: [
        {
          id: 'CVE-2021-23337',
          ratings: [{ score: 7.2, method: 'CVSSv31' }],
          affects: [
            {
              ref: 'lodash-ref',
              versions: [{ version: '4.17.21', status: 'unaffected' }],
            },
            { ref: 'left-pad' },
            { ref: 'lodash-ref' },
          ],
        },
      ],
    });
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      severity: 'high',
      cvssScore: 7.2,
      packageName: 'lodash',
      packageVersion: '4.17.20',
      fixedVersion: '4.17.21',
    });
    expect(findings[1]).toMatchObject({
      severity: 'high',
      packageName: 'left-pad',
      packageVersion: '1.0.0',
    });
  });

  it('reads versions from recommendations', () => {
    expect(
      versionsFromRecommendation(
        'Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.6.7.4, 2.9.10.7, 2.10.5.1 or higher.',
      ),
    ).toEqual(['2.6.7.4', '2.9.10.7', '2.10.5.1']);
    expect(
      versionsFromRecommendation(
        'Upgrade openssl-libs to version 1:1.0.2k-19.el7',
      ),
    ).toEqual(['1:1.0.2k-19.el7']);
    expect(versionsFromRecommendation('Remove the package.')).toEqual([]);
  });

  describe('malformed input', () => {
    it.each([
      [null, /expected a JSON object, got null/],
      [[], /got an array/],
      [{}, /bomFormat is missing/],
      ['a string', /got a string/],
      [{ bomFormat: 'SPDX' }, /bomFormat is "SPDX"/],
      [
        { bomFormat: 'CycloneDX', vulnerabilities: 'x' },
        /vulnerabilities must be an array/,
      ],
      [
        { bomFormat: 'CycloneDX', vulnerabilities: [null, 5] },
        /vulnerabilities\[0\] must be an object, got null/,
      ],
      [
        { bomFormat: 'CycloneDX', vulnerabilities: [{ ratings: [] }] },
        /vulnerabilities\[0\]\.id is missing/,
      ],
      [
        {
          bomFormat: 'CycloneDX',
          vulnerabilities: [{ id: 'X', affects: 'y' }],
        },
        /vulnerabilities\[0\]\.affects must be an array/,
      ],
      [
        {
          bomFormat: 'CycloneDX',
          vulnerabilities: [{ id: 'X', affects: [{}] }],
        },
        /affects\[0\]\.ref is missing/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });

    it('survives odd shapes', () => {
      const findings = parse({
        bomFormat: 'CycloneDX',
        metadata: 'x',
        components: [null, 'x', { 'bom-ref': 'a', components: 'x' }],
        vulnerabilities: [
          {
            id: 'CVE-1',
            ratings: [null, { severity: 'constructor', score: 'x' }],
            references: 'x',
            advisories: [null, { url: 'ftp://example.com/advisory' }],
            analysis: 'x',
            affects: [{ ref: 'urn:cdx:x#%E0%A4%A' }, { ref: 'a' }],
          },
        ],
      });
      expect(findings).toHaveLength(2);
      expect(findings[0]).toMatchObject({ severity: 'medium' });
      expect(findings[0].helpUrl).toBeUndefined();
    });
  });

  it('enforces maxFindings', () => {
    const doc = loadFixture('cyclonedxTrivy');
    expect(cyclonedxParser.parse(doc, { maxFindings: 3 })).toHaveLength(3);
    expect(
      inputErrorOf(() => cyclonedxParser.parse(doc, { maxFindings: 2 }))
        .message,
    ).toMatch(/more than 2 findings/);
  });
});
