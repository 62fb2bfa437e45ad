import { osvParser } from './osv';
import { LIMITS, inputErrorOf, loadFixture } from './__testUtils__/fixtures';

const parse = (doc: unknown) => osvParser.parse(doc, LIMITS);

describe('osvParser', () => {
  it('reads the malicious package as critical', () => {
    const findings = parse(loadFixture('osv'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      category: 'sca',
      severity: 'critical',
      ruleId: 'MAL-2023-1035',
      title: 'Malicious code in flot-axis (npm)',
      aliases: ['GHSA-8348-2q94-ffjx', 'MAL-2023-1035'],
      packageName: 'flot-axis',
      packageVersion: '0.0.0',
      locationPath: '/tmp/components/yarn.lock',
      helpUrl: 'https://github.com/advisories/GHSA-8348-2q94-ffjx',
    });
    expect(findings[0].fixedVersion).toBeUndefined();
    expect(findings[0].description).toContain('fully compromised');
  });

  it('takes the severity from max_severity, then the advisory', () => {
    const doc = loadFixture('osv');
    const pkg = doc.results[0].packages[0];
    const vuln = pkg.vulnerabilities[0];
    vuln.id = 'GHSA-8348-2q94-ffjx';
    vuln.aliases = ['CVE-2023-0001'];
    vuln.affected[0].ranges[0].events.push({ fixed: '1.0.1' });
    vuln.database_specific = { severity: 'MODERATE' };
    pkg.groups = [
      {
        ids: ['GHSA-8348-2q94-ffjx'],
        aliases: ['CVE-2023-0001', 'GHSA-8348-2q94-ffjx'],
      },
    ];
    expect(parse(doc)[0]).toMatchObject({
      ruleId: 'GHSA-8348-2q94-ffjx',
      severity: 'medium',
      fixedVersion: '1.0.1',
      aliases: ['CVE-2023-0001', 'GHSA-8348-2q94-ffjx'],
    });
    pkg.groups[0].max_severity = '9.8';
    expect(parse(doc)[0]).toMatchObject({
      severity: 'critical',
      cvssScore: 9.8,
    });
  });

  it('makes one finding per group, and one per ungrouped vulnerability', () => {
    const doc = loadFixture('osv');
    const pkg = doc.results[0].packages[0];
    const mal = pkg.vulnerabilities[0];
    pkg.vulnerabilities.push(
      { ...mal, id: 'GHSA-8348-2q94-ffjx', aliases: ['MAL-2023-1035'] },
      { id: 'PYSEC-2020-1', summary: 'Other', affected: [] },
    );
    pkg.groups[0].ids = ['MAL-2023-1035', 'GHSA-8348-2q94-ffjx'];
    const findings = parse(doc);
    expect(findings.map(f => f.ruleId)).toEqual([
      'GHSA-8348-2q94-ffjx',
      'PYSEC-2020-1',
    ]);
    expect(findings[0].severity).toBe('critical');
    expect(findings[1]).toMatchObject({
      severity: 'medium',
      helpUrl: 'https://osv.dev/vulnerability/PYSEC-2020-1',
    });
  });

  describe('malformed input', () => {
    it.each([
      [null, /got null/],
      [[], /got an array/],
      [{}, /results is missing/],
      ['a string', /got a string/],
      [{ results: 'x' }, /results must be an array/],
      [{ results: [null, 5] }, /results\[0\] must be an object/],
      [
        { results: [{ packages: {} }] },
        /results\[0\]\.packages must be an array/,
      ],
      [
        { results: [{ packages: [{ package: null }] }] },
        /packages\[0\]\.package must be an object/,
      ],
      [
        {
          results: [
            { packages: [{ package: { name: 'x' }, vulnerabilities: [{}] }] },
          ],
        },
        /vulnerabilities\[0\]\.id is missing/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });
  });

  it('enforces maxFindings', () => {
    expect(
      inputErrorOf(() =>
        osvParser.parse(loadFixture('osv'), { maxFindings: 0 }),
      ).message,
    ).toMatch(/more than 0 findings, the limit is 0/);
  });
});
