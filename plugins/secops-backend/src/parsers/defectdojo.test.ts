import { defectdojoParser } from './defectdojo';
import { builtInParsers } from '.';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => defectdojoParser.parse(doc, LIMITS);

describe('DefectDojo generic findings (pen-test results)', () => {
  it('reads the JSON report: severity, advisories, CWE and the unique id', () => {
    const findings = parse(loadFixture('defectdojoJson'));
    expect(findings).toHaveLength(2);
    const [first] = findings;
    expect(first).toMatchObject({
      category: 'pentest',
      severity: 'medium',
      ruleId: 'TEST1',
      title: 'test title',
      aliases: ['CVE-2020-36234', 'CWE-261'],
      pentest: { retest: 'not-retested' },
    });
    expect(first.description).toContain("chars à qu'il est beau");
    expect(first.description).toContain('Impact\nSome impact');
    // The cvssv3 field is a vector, not a score.
    expect(first.cvssScore).toBeUndefined();
    // The unique id is the identity: the same id is the same finding.
    const renamed = loadFixture('defectdojoJson');
    renamed.findings[0].title = 'renamed by the tester';
    expect(parse(renamed)[0].fingerprint).toBe(first.fingerprint);
  });

  it('reads file locations and endpoints given as objects and as URLs', () => {
    const findings = parse(loadFixture('defectdojoEndpointsJson'));
    expect(severityCounts(findings)).toEqual({ critical: 2, medium: 1 });
    const [host, urls, none] = findings;
    expect(host).toMatchObject({
      locationPath: 'src/first.cpp',
      locationLine: 13,
      url: 'exemple.com',
    });
    // The first http(s) endpoint is the URL; all of them are described.
    expect(urls.url).toBe(
      'http://urlfiltering.paloaltonetworks.com/test-command-and-control',
    );
    expect(urls.description).toContain(
      'https://urlfiltering.paloaltonetworks.com:2345/test-pest',
    );
    expect(none.url).toBeUndefined();
    // Without unique ids, the fingerprints come from what was found where.
    expect(new Set(findings.map(f => f.fingerprint)).size).toBe(3);
  });

  it('reads the CSV report, recognised from its header', () => {
    const text = loadFixture('defectdojoCsv');
    expect(builtInParsers.filter(p => p.detect(text))).toEqual([
      defectdojoParser,
    ]);
    const findings = parse(text);
    expect(findings).toHaveLength(5);
    expect(findings.map(f => f.ruleId)).toEqual([
      'CWE-1',
      'CWE-2',
      'CWE-3',
      'CWE-4',
      'CWE-5',
    ]);
    expect(findings[1]).toMatchObject({
      category: 'pentest',
      severity: 'low',
      title: 'ASDF',
      url: 'https://vulnerable.endpoint.com/resource2/qwerty',
    });
    expect(findings[1].description).toContain(
      'Mitigation\nSome mitigation advice',
    );
  });

  it('leaves out inactive, false positive, duplicate and mitigated findings', () => {
    // Every row of this real file is Active=False.
    expect(parse(loadFixture('defectdojoInactiveCsv'))).toEqual([]);
    const report = loadFixture('defectdojoJson');
    report.findings[0].false_p = true;
    report.findings[1].is_mitigated = true;
    expect(parse(report)).toEqual([]);
  });

  it('gives a finding without a severity the unknown severity, not info', () => {
    const findings = parse(loadFixture('defectdojoNoSeverityCsv'));
    expect(findings.map(f => [f.title, f.severity, f.url])).toEqual([
      ['Title1', 'medium', 'www.example.com'],
      ['Title2', 'medium', 'localhost'],
      ['Title3', 'medium', '127.0.0.1:80'],
      ['Title4', 'medium', 'foo.bar/path'],
    ]);
  });

  it('keeps the tester, the engagement and the retest status', () => {
    const report = loadFixture('defectdojoJson');
    report.tester = 'Acme Offensive Security';
    report.engagement = '2026 Q4 external test';
    report.findings[0].retest_status = 'Still present';
    report.findings[1].engagement = '2026 Q3 mobile test';
    expect(parse(report).map(f => f.pentest)).toEqual([
      {
        tester: 'Acme Offensive Security',
        engagement: '2026 Q4 external test',
        retest: 'still-present',
      },
      {
        tester: 'Acme Offensive Security',
        engagement: '2026 Q3 mobile test',
        retest: 'not-retested',
      },
    ]);
    // A retest that says fixed leaves the finding out (the upload fixes it).
    report.findings[0].retest_status = 'fixed';
    expect(parse(report)).toHaveLength(1);

    const csv = `Title,Severity,Tester,Engagement,RetestStatus\nOpen redirect,High,Acme,Q4 web,Open\n`;
    expect(parse(csv)[0].pentest).toEqual({
      tester: 'Acme',
      engagement: 'Q4 web',
      retest: 'still-present',
    });
  });

  it.each([
    ['a JSON object without findings', { name: 'x' }, /findings is missing/],
    [
      'findings that are not an array',
      { findings: {} },
      /findings must be an array, got an object/,
    ],
    ['a finding that is not an object', { findings: [1] }, /findings\[0\]/],
    [
      'a finding without a title',
      { findings: [{ severity: 'High' }] },
      /findings\[0\] has no title/,
    ],
    [
      'an unknown retest status',
      { findings: [{ title: 'x', retest_status: 'maybe' }] },
      /retest_status 'maybe' is not one of/,
    ],
    [
      'a CSV without a Title column',
      'Name,Severity\nx,High\n',
      /first row must name the columns/,
    ],
    [
      'a CSV row with a cell too many',
      'Title,Severity\nx,High\ny,Low,extra\n',
      /line 3/,
    ],
    ['a CSV with an unclosed quote', 'Title,Severity\n"x,High\n', /quote/i],
    [
      'a CSV row without a title',
      'Title,Severity\n,High\n',
      /line 2 has no title/,
    ],
  ])(
    'refuses %s with a message saying what is wrong',
    (_what, doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    },
  );

  it('refuses more findings than the limit', () => {
    const rows = Array.from({ length: 4 }, (_, i) => `finding ${i},Low`);
    const csv = ['Title,Severity', ...rows].join('\n');
    expect(
      inputErrorOf(() => defectdojoParser.parse(csv, { maxFindings: 3 }))
        .message,
    ).toMatch(/more than 3 findings/);
  });

  it('does not let column names reach the prototype', () => {
    const csv = 'Title,Severity,__proto__,constructor\nx,High,{},y\n';
    const [finding] = parse(csv);
    expect(finding.title).toBe('x');
    expect(({} as any).polluted).toBeUndefined();
  });
});
