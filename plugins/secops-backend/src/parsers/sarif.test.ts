import { piiSarif, scanText } from '@portal/plugin-secops-node';
import { sarifParser } from './sarif';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => sarifParser.parse(doc, LIMITS);

describe('sarifParser', () => {
  describe('gitleaks 7.4.0 (no ruleId, no level)', () => {
    it('derives rule ids from the message and merges the commits of one secret', () => {
      const doc = loadFixture('gitleaksSarif');
      expect(doc.runs[0].results).toHaveLength(8);
      expect(doc.runs[0].results[0].ruleId).toBeUndefined();

      const findings = parse(doc);
      // 8 results, but each secret is reported in two commits: 4 places.
      expect(findings).toHaveLength(4);
      expect(severityCounts(findings)).toEqual({ high: 4 });
      expect(findings.every(f => f.category === 'secret')).toBe(true);
      expect(findings.map(f => f.ruleId).sort()).toEqual([
        'AWS Access Key',
        'AWS Access Key',
        'AWS Access Key',
        'Asymmetric Private Key',
      ]);
      expect(
        findings.map(f => `${f.locationPath}:${f.locationLine}`).sort(),
      ).toEqual([
        'dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_1_vuln.json:13',
        'dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_3_vuln.json:13',
        'dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_3_vuln.json:44',
        'dojo/unittests/tools/test_gitlab_secret_detection_report_parser.py:37',
      ]);
      const privateKey = findings.find(
        f => f.ruleId === 'Asymmetric Private Key',
      )!;
      expect(privateKey.title).toBe('Asymmetric Private Key secret detected');
      expect(privateKey.locationPath).toMatch(/_3_vuln\.json$/);
    });

    it('never copies the secret into the finding', () => {
      const text = JSON.stringify(parse(loadFixture('gitleaksSarif')));
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(text).not.toContain('BEGIN OPENSSH PRIVATE KEY');
    });

    it('keeps fingerprints stable when line numbers change', () => {
      const before = parse(loadFixture('gitleaksSarif'));

      const shifted = loadFixture('gitleaksSarif');
      for (const result of shifted.runs[0].results) {
        result.locations[0].physicalLocation.region.startLine += 17;
      }
      const after = parse(shifted);

      expect(after.map(f => f.fingerprint)).toEqual(
        before.map(f => f.fingerprint),
      );
      expect(after.map(f => f.locationLine)).toEqual(
        before.map(f => f.locationLine! + 17),
      );
    });

    it('gives another fingerprint when the secret itself changes', () => {
      const before = parse(loadFixture('gitleaksSarif'));
      const changed = loadFixture('gitleaksSarif');
      for (const result of changed.runs[0].results) {
        const snippet = result.locations[0].physicalLocation.region.snippet;
        snippet.text = snippet.text.replace('EXAMPLE', 'EXAMPL2');
      }
      const after = parse(changed);
      const privateKey = (fs: typeof before) =>
        fs.find(f => f.ruleId === 'Asymmetric Private Key')!.fingerprint;
      expect(privateKey(after)).toBe(privateKey(before));
      expect(
        after
          .filter(f => f.ruleId === 'AWS Access Key')
          .map(f => f.fingerprint),
      ).not.toEqual(
        before
          .filter(f => f.ruleId === 'AWS Access Key')
          .map(f => f.fingerprint),
      );
    });
  });

  describe('Trivy image scan', () => {
    it('reads CVEs as SCA findings with package data from the message', () => {
      const findings = parse(loadFixture('trivySarif'));
      // 4 CVEs, each in libcrypto1.1 and libssl1.1
      expect(findings).toHaveLength(8);
      expect(severityCounts(findings)).toEqual({ medium: 6, low: 2 });
      expect(findings.every(f => f.category === 'sca')).toBe(true);

      const cve = findings.find(
        f => f.ruleId === 'CVE-2019-1551' && f.packageName === 'libssl1.1',
      );
      expect(cve).toMatchObject({
        severity: 'medium',
        title: 'CVE-2019-1551',
        packageVersion: '1.1.1c-r0',
        fixedVersion: '1.1.1d-r2',
        aliases: ['CVE-2019-1551'],
        locationPath: 'testdata/fixtures/images/alpine-310.tar.gz',
        helpUrl: 'https://avd.aquasec.com/nvd/cve-2019-1551',
      });
      expect(cve!.description).toContain('Montgomery squaring');

      const low = findings.filter(f => f.severity === 'low');
      expect(low.map(f => f.ruleId)).toEqual([
        'CVE-2019-1547',
        'CVE-2019-1547',
      ]);
      // the same rule in two packages is two findings
      expect(new Set(findings.map(f => f.fingerprint)).size).toBe(8);
    });
  });

  describe('Bandit 1.9.3', () => {
    it('reads a SAST finding with its file, line and severity', () => {
      const findings = parse(loadFixture('banditSarif'));
      expect(findings).toEqual([
        expect.objectContaining({
          category: 'sast',
          severity: 'medium',
          ruleId: 'B307',
          title:
            'Use of possibly insecure function - consider using safer ast.literal_eval.',
          locationPath: 'src/todoList.py',
          locationLine: 48,
          helpUrl:
            'https://bandit.readthedocs.io/en/1.9.3/blacklists/blacklist_calls.html#b307-eval',
        }),
      ]);
      expect(findings[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });

    it('takes the severity from issue_severity', () => {
      const doc = loadFixture('banditSarif');
      doc.runs[0].results[0].properties.issue_severity = 'LOW';
      expect(parse(doc)[0].severity).toBe('low');
      doc.runs[0].results[0].properties.issue_severity = 'HIGH';
      expect(parse(doc)[0].severity).toBe('high');
    });

    it('upgrades the level by security-severity, never downgrades', () => {
      const doc = loadFixture('banditSarif');
      const result = doc.runs[0].results[0];
      delete result.properties.issue_severity;
      result.level = 'note';
      expect(parse(doc)[0].severity).toBe('low');
      doc.runs[0].tool.driver.rules[0].properties = {
        'security-severity': '9.8',
      };
      expect(parse(doc)[0]).toMatchObject({
        severity: 'critical',
        cvssScore: 9.8,
      });
      result.level = 'error';
      result.properties['security-severity'] = '2.0';
      expect(parse(doc)[0].severity).toBe('high');
      result.level = 'none';
      delete result.properties['security-severity'];
      delete doc.runs[0].tool.driver.rules[0].properties;
      expect(parse(doc)[0].severity).toBe('info');
    });

    it('uses partialFingerprints when present, in a stable key order', () => {
      const plain = parse(loadFixture('banditSarif'))[0];

      const withPrints = loadFixture('banditSarif');
      withPrints.runs[0].results[0].partialFingerprints = {
        primaryLocationLineHash: 'abc123:1',
        primaryLocationStartColumnFingerprint: '4',
      };
      const a = parse(withPrints)[0];
      expect(a.fingerprint).not.toBe(plain.fingerprint);

      // same prints in another key order, another line, another snippet
      const reordered = loadFixture('banditSarif');
      const result = reordered.runs[0].results[0];
      result.partialFingerprints = {
        primaryLocationStartColumnFingerprint: '4',
        primaryLocationLineHash: 'abc123:1',
      };
      result.locations[0].physicalLocation.region.startLine = 90;
      result.locations[0].physicalLocation.region.snippet.text = 'eval(x)';
      expect(parse(reordered)[0].fingerprint).toBe(a.fingerprint);

      result.partialFingerprints.primaryLocationLineHash = 'def456:1';
      expect(parse(reordered)[0].fingerprint).not.toBe(a.fingerprint);
    });

    it('uses fingerprints when there are no partialFingerprints', () => {
      const doc = loadFixture('banditSarif');
      doc.runs[0].results[0].fingerprints = { 'bandit/v1': 'f00' };
      const a = parse(doc)[0].fingerprint;
      doc.runs[0].results[0].locations[0].physicalLocation.region.snippet.text =
        'changed';
      expect(parse(doc)[0].fingerprint).toBe(a);
    });

    it('keeps the fallback fingerprint across line shifts and re-indentation', () => {
      const plain = parse(loadFixture('banditSarif'))[0];
      const doc = loadFixture('banditSarif');
      const location = doc.runs[0].results[0].locations[0].physicalLocation;
      location.region.startLine = 148;
      location.region.snippet.text = `\t\teval("print('hola')")  \n`;
      expect(parse(doc)[0].fingerprint).toBe(plain.fingerprint);
    });

    it('skips suppressed and passing results', () => {
      const doc = loadFixture('banditSarif');
      doc.runs[0].results[0].suppressions = [{ kind: 'inSource' }];
      expect(parse(doc)).toEqual([]);
      doc.runs[0].results[0].suppressions = [
        { kind: 'external', status: 'rejected' },
      ];
      expect(parse(doc)).toHaveLength(1);
      doc.runs[0].results[0].kind = 'pass';
      expect(parse(doc)).toEqual([]);
    });
  });

  describe('ESLint with no results', () => {
    it('gives zero findings', () => {
      const doc = loadFixture('eslintSarif');
      expect(doc.runs[0].results).toEqual([]);
      expect(parse(doc)).toEqual([]);
    });
  });

  describe('categories', () => {
    const run = (toolName: string, ruleId: string, ruleName?: string) =>
      parse({
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: toolName,
                rules: [{ id: ruleId, name: ruleName }],
              },
            },
            results: [
              {
                ruleId,
                level: 'warning',
                message: { text: 'x' },
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: 'file:///src/a%20b.tf' },
                      region: { startLine: 3 },
                    },
                  },
                ],
              },
            ],
          },
        ],
      })[0];

    it.each([
      ['Semgrep', 'javascript.express.security.audit.xss', undefined, 'sast'],
      ['CodeQL', 'js/sql-injection', undefined, 'sast'],
      ['CodeQL', 'js/insufficient-password-hash', undefined, 'sast'],
      ['CodeQL', 'js/hardcoded-credentials', undefined, 'secret'],
      ['Bandit', 'B105', 'hardcoded_password_string', 'secret'],
      [
        'Semgrep',
        'generic.secrets.security.detected-aws-access-key',
        undefined,
        'secret',
      ],
      ['gosec', 'G101', 'Look for hard coded credentials', 'secret'],
      ['trufflehog', 'AWS', undefined, 'secret'],
      [
        'Checkov',
        'CKV_AWS_41',
        'Ensure no hard coded AWS access key',
        'misconfig',
      ],
      ['tfsec', 'aws-s3-enable-versioning', undefined, 'misconfig'],
      ['Trivy', 'AVD-AWS-0086', undefined, 'misconfig'],
      ['Trivy', 'DS002', undefined, 'misconfig'],
      ['Trivy', 'CVE-2021-44228', undefined, 'sca'],
      ['Trivy', 'GHSA-jfh8-c2jp-5v3q', undefined, 'sca'],
    ])('%s %s (%s) -> %s', (tool, ruleId, ruleName, category) => {
      expect(run(tool, ruleId, ruleName).category).toBe(category);
    });

    it('strips file:// and decodes the path', () => {
      expect(run('Semgrep', 'x').locationPath).toBe('/src/a b.tf');
    });
  });

  describe('malformed input', () => {
    it.each([
      [null, /expected a JSON object, got null/],
      [[], /expected a JSON object, got an array/],
      [{}, /runs is missing/],
      ['a string', /got a string/],
      [{ runs: 'x' }, /runs must be an array, got a string/],
      [{ runs: [{ results: [null, 5] }] }, /runs\[0\]\.tool/],
      [
        { runs: [{ tool: { driver: { name: 'x' } }, results: [null, 5] }] },
        /runs\[0\]\.results\[0\] must be an object, got null/,
      ],
      [
        { runs: [{ tool: { driver: { name: 'x' } }, results: 'x' }] },
        /runs\[0\]\.results must be an array/,
      ],
      [{ version: '2.0.0', runs: [] }, /version is "2.0.0"/],
      [{ runs: [null] }, /runs\[0\] must be an object/],
      [{ runs: [{ tool: null }] }, /runs\[0\]\.tool must be an object/],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });

    it('survives odd shapes inside results', () => {
      const doc = {
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: { name: 5, rules: 'x' },
              extensions: [null, { rules: [null, 'x'] }],
            },
            artifacts: 'x',
            originalUriBaseIds: { SRC: null, '%SRCROOT%': { uri: 5 } },
            results: [
              {
                ruleId: ['x'],
                ruleIndex: 'y',
                rule: { index: -1, toolComponent: { index: 1e9 } },
                level: 'constructor',
                message: { text: null, id: '__proto__', arguments: 'x' },
                locations: [null, 'x', { physicalLocation: 'x' }],
                properties: { 'security-severity': {}, issue_severity: [] },
                partialFingerprints: 'x',
                suppressions: [null],
              },
              {
                level: 'toString',
                message: 'hi',
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { index: 3 },
                      region: { startLine: -4, snippet: 'x' },
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      const findings = parse(doc);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({
        category: 'sast',
        severity: 'medium',
      });
      // no usable rule id or message: a stable id from the tool name
      expect(findings[0].ruleId).toMatch(/^5-[0-9a-f]{12}$/);
    });
  });

  it('enforces maxFindings', () => {
    const doc = loadFixture('trivySarif');
    expect(sarifParser.parse(doc, { maxFindings: 8 })).toHaveLength(8);
    expect(
      inputErrorOf(() => sarifParser.parse(doc, { maxFindings: 7 })).message,
    ).toMatch(/more than 7 findings, the limit is 7/);
    // duplicates do not count: 8 gitleaks results are 4 findings
    expect(
      sarifParser.parse(loadFixture('gitleaksSarif'), { maxFindings: 4 }),
    ).toHaveLength(4);
  });
});

describe("the portal's personal-data scanner's SARIF", () => {
  const text = [
    '# Runbook',
    'Escalate to jane.doe@northwind.io, +44 20 7946 0958.',
    'aws_access_key_id = AKIAZ7Q3RK2MVN5TXW4B',
  ].join('\n');
  const log = piiSarif(
    scanText(text).map(m => ({ ...m, file: 'docs/runbook.md' })),
  );

  it('lands as personal-data findings (and secrets as secrets), masked, where they are', () => {
    const findings = parse(log);
    expect(
      findings.map(f => [
        f.category,
        f.severity,
        f.ruleId,
        f.locationPath,
        f.locationLine,
      ]),
    ).toEqual([
      ['pii', 'medium', 'pii/email', 'docs/runbook.md', 2],
      ['pii', 'medium', 'pii/phone-international', 'docs/runbook.md', 2],
      ['secret', 'high', 'pii/aws-access-key', 'docs/runbook.md', 3],
    ]);
    const stored = JSON.stringify(findings);
    expect(stored).toContain('j***@n***.io');
    expect(stored).not.toContain('jane.doe');
    expect(stored).not.toContain('AKIAZ7Q3RK2MVN5TXW4B');
  });

  it('keeps its fingerprints across scans of the same file', () => {
    expect(parse(log).map(f => f.fingerprint)).toEqual(
      parse(
        piiSarif(scanText(text).map(m => ({ ...m, file: 'docs/runbook.md' }))),
      ).map(f => f.fingerprint),
    );
  });
});
