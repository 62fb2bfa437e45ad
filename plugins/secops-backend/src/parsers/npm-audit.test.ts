import { npmAuditParser } from './npm-audit';
import {
  LIMITS,
  inputErrorOf,
  loadFixture,
  severityCounts,
} from './__testUtils__/fixtures';

const parse = (doc: unknown) => npmAuditParser.parse(doc, LIMITS);

describe('npmAuditParser', () => {
  it('reads the advisories, not the transitive pointers', () => {
    const doc = loadFixture('npmAudit');
    // 6 vulnerable packages, of which 3 only through their dependencies
    expect(Object.keys(doc.vulnerabilities)).toHaveLength(6);
    const findings = parse(doc);
    expect(findings.map(f => f.packageName)).toEqual([
      'debug',
      'semver',
      'undici',
    ]);
    expect(severityCounts(findings)).toEqual({ medium: 2, low: 1 });
    expect(findings[0]).toMatchObject({
      category: 'sca',
      ruleId: 'GHSA-gxpj-cx7g-858c',
      // "moderate" -> medium
      severity: 'medium',
      title: 'Regular Expression Denial of Service in debug',
      aliases: ['GHSA-gxpj-cx7g-858c'],
      cvssScore: 5.3,
      locationPath: 'node_modules/@vercel/fun/node_modules/debug',
      helpUrl: 'https://github.com/advisories/GHSA-gxpj-cx7g-858c',
    });
    // the fix is through vercel (semver-major), not a version of debug
    expect(findings[0].fixedVersion).toBeUndefined();
    expect(findings[0].description).toContain(
      'Fix available: install vercel@32.3.0 (a semver-major change).',
    );
    expect(findings[0].description).toContain(
      'Vulnerable versions: >=4.0.0 <4.3.1',
    );
    expect(findings[2]).toMatchObject({
      ruleId: 'GHSA-3787-6prv-h9w3',
      severity: 'low',
      cvssScore: 3.9,
    });
  });

  it('de-duplicates an advisory listed twice for one package', () => {
    const doc = loadFixture('npmAudit');
    const advisory = doc.vulnerabilities.debug.via[0];
    doc.vulnerabilities.debug.via.push({ ...advisory, severity: 'high' });
    const findings = parse(doc);
    expect(findings).toHaveLength(3);
    // the worst severity is kept
    expect(findings[0].severity).toBe('high');
  });

  it('sets the fixed version when the fix is the package itself', () => {
    const doc = loadFixture('npmAudit');
    doc.vulnerabilities.undici.fixAvailable = {
      name: 'undici',
      version: '5.28.3',
      isSemVerMajor: false,
    };
    expect(parse(doc)[2].fixedVersion).toBe('5.28.3');
  });

  describe('malformed input', () => {
    it.each([
      [null, /got null/],
      [[], /got an array/],
      [{}, /auditReportVersion is missing/],
      ['a string', /got a string/],
      [{ advisories: {} }, /npm 6 format/],
      [{ auditReportVersion: 1 }, /auditReportVersion 1 is not supported/],
      [
        { auditReportVersion: 2, vulnerabilities: [] },
        /vulnerabilities must be an object keyed by package name, got an array/,
      ],
      [
        { auditReportVersion: 2, vulnerabilities: { x: null } },
        /vulnerabilities\["x"\] must be an object/,
      ],
      [
        { auditReportVersion: 2, vulnerabilities: { x: { via: 'y' } } },
        /vulnerabilities\["x"\]\.via must be an array/,
      ],
      [
        { auditReportVersion: 2, vulnerabilities: { x: { via: [null, 5] } } },
        /via\[0\] must be an advisory object or a package name, got null/,
      ],
    ])('refuses %j with an InputError', (doc, message) => {
      expect(inputErrorOf(() => parse(doc)).message).toMatch(message);
    });

    it('is not fooled by __proto__ keys', () => {
      const doc = JSON.parse(
        '{"auditReportVersion":2,"vulnerabilities":{"__proto__":{"via":[{"source":1,"title":"t","severity":"constructor"}]}}}',
      );
      expect(parse(doc)).toEqual([
        expect.objectContaining({
          packageName: '__proto__',
          ruleId: 'npm-1',
          severity: 'medium',
        }),
      ]);
    });
  });

  it('enforces maxFindings', () => {
    expect(
      inputErrorOf(() =>
        npmAuditParser.parse(loadFixture('npmAudit'), { maxFindings: 2 }),
      ).message,
    ).toMatch(/more than 2 findings/);
  });
});
