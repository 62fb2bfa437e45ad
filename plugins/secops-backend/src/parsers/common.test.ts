import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { ParsedFinding } from '@portal/plugin-secops-common';
import {
  FindingCollector,
  fingerprintOf,
  firstLine,
  normaliseForFingerprint,
  normaliseSeverity,
  parsePurl,
  severityFromCvss,
  stripHtml,
  worstSeverity,
} from './common';
import { FIXTURES_DIR } from './__testUtils__/fixtures';

describe('parser helpers', () => {
  it('finds the fixtures in the repository', () => {
    expect(fs.existsSync(path.join(FIXTURES_DIR, 'SOURCES.md'))).toBe(true);
  });

  it('maps CVSS scores to severities', () => {
    expect(
      [10, 9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0, '7.5', -1, 11, 'x', null].map(
        severityFromCvss,
      ),
    ).toEqual([
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'info',
      'high',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('normalises severity words, and nothing else', () => {
    expect(
      [
        'CRITICAL',
        'High',
        'moderate',
        'Medium',
        'LOW',
        'Negligible',
        'informational',
        'none',
        'UNKNOWN',
        'constructor',
        '__proto__',
        5,
        null,
      ].map(normaliseSeverity),
    ).toEqual([
      'critical',
      'high',
      'medium',
      'medium',
      'low',
      'info',
      'info',
      'info',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(worstSeverity(['low', undefined, 'high', 'medium'])).toBe('high');
    expect(worstSeverity([])).toBeUndefined();
  });

  it('hashes fingerprints with sha256 and unambiguous separators', () => {
    expect(fingerprintOf('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf('a', 'bc')).not.toBe(fingerprintOf('ab', 'c'));
    expect(fingerprintOf('a\0', 'b')).not.toBe(fingerprintOf('a', '\0b'));
    expect(fingerprintOf('a', undefined)).toBe(fingerprintOf('a', ''));
  });

  it('removes line references and whitespace for fingerprints', () => {
    expect(normaliseForFingerprint('  foo(1)\n\t bar  at line 42 ')).toBe(
      'foo(1) bar at line',
    );
    expect(normaliseForFingerprint('src/a.js:12:3 bad')).toBe('src/a.js bad');
  });

  it('strips HTML', () => {
    expect(
      stripHtml('<p>A &amp; B&#39;s &lt;x&gt;</p><p>next<br/>line</p>'),
    ).toBe("A & B's <x>\nnext\nline");
    expect(stripHtml('<p></p>')).toBeUndefined();
    expect(firstLine('\n  \n  title  \nrest')).toBe('title');
    expect(firstLine('x'.repeat(500))).toHaveLength(200);
  });

  it('splits package URLs', () => {
    expect(
      parsePurl(
        'pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810',
      ),
    ).toEqual({
      type: 'rpm',
      namespace: 'centos',
      name: 'openssl-libs',
      version: '1.0.2k-16.el7',
      qualifiers: new Map([
        ['arch', 'x86_64'],
        ['epoch', '1'],
        ['distro', 'centos-7.6.1810'],
      ]),
    });
    expect(parsePurl('pkg:npm/%40babel/core@7.0.0')).toMatchObject({
      namespace: '@babel',
      name: 'core',
      version: '7.0.0',
    });
    expect(parsePurl('pkg:npm/flot-axis')).toMatchObject({
      name: 'flot-axis',
      version: undefined,
    });
    expect(parsePurl('not a purl')).toBeUndefined();
    expect(parsePurl(5)).toBeUndefined();
  });

  describe('FindingCollector', () => {
    const finding = (
      fingerprint: string,
      severity: ParsedFinding['severity'],
      aliases?: string[],
    ): ParsedFinding => ({
      fingerprint,
      severity,
      category: 'sca',
      ruleId: 'R',
      title: 'T',
      aliases,
      description: undefined,
    });

    it('merges findings with one fingerprint, keeping the worst severity', () => {
      const collector = new FindingCollector({ maxFindings: 10 });
      collector.add(finding('a', 'low', ['X']));
      collector.add(finding('b', 'info'));
      collector.add(finding('a', 'critical', ['Y']));
      collector.add(finding('a', 'medium'));
      expect(collector.toArray()).toEqual([
        {
          fingerprint: 'a',
          severity: 'critical',
          category: 'sca',
          ruleId: 'R',
          title: 'T',
          aliases: ['X', 'Y'],
        },
        {
          fingerprint: 'b',
          severity: 'info',
          category: 'sca',
          ruleId: 'R',
          title: 'T',
        },
      ]);
    });

    it('refuses more distinct findings than the limit', () => {
      const collector = new FindingCollector({ maxFindings: 2 });
      collector.add(finding('a', 'low'));
      collector.add(finding('b', 'low'));
      collector.add(finding('a', 'high'));
      expect(() => collector.add(finding('c', 'low'))).toThrow(InputError);
      expect(() => collector.add(finding('c', 'low'))).toThrow(
        'The report has more than 2 findings, the limit is 2',
      );
    });
  });
});
