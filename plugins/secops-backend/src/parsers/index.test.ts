import { InputError } from '@backstage/errors';
import { REPORT_FORMATS } from '@portal/plugin-secops-common';
import { ReportParser } from '@portal/plugin-secops-node';
import { builtInParsers } from '.';
import {
  FIXTURES,
  FixtureName,
  LIMITS,
  inputErrorOf,
  loadFixture,
} from './__testUtils__/fixtures';

/** Which parser must recognise each fixture (null: none of them). */
const EXPECTED_FORMAT: Record<FixtureName, string | null> = {
  gitleaksSarif: 'sarif',
  trivySarif: 'sarif',
  banditSarif: 'sarif',
  eslintSarif: 'sarif',
  cyclonedxVex: 'cyclonedx',
  cyclonedxTrivy: 'cyclonedx',
  trivyImage: 'trivy',
  trivyMisconfig: 'trivy',
  trivyNoVulnerabilitiesKey: 'trivy',
  grype: 'grype',
  osv: 'osv',
  npmAudit: 'npm-audit',
  zapJson: 'zap',
  defectdojoJson: 'defectdojo',
  defectdojoEndpointsJson: 'defectdojo',
  defectdojoCsv: 'defectdojo',
  defectdojoInactiveCsv: 'defectdojo',
  defectdojoNoSeverityCsv: 'defectdojo',
  awsCostExplorer: null,
};

const FIXTURE_NAMES = Object.keys(FIXTURES) as FixtureName[];

const HOSTILE_DOCUMENTS: unknown[] = [
  null,
  undefined,
  [],
  {},
  'a string',
  '',
  42,
  true,
  { runs: 'x' },
  { runs: [{ results: [null, 5] }] },
  [null, 5],
  { bomFormat: 'CycloneDX', vulnerabilities: [5] },
  { SchemaVersion: 2, Results: [{ Vulnerabilities: 'x' }] },
  { matches: [null] },
  { results: [{ packages: [5] }] },
  { auditReportVersion: 2, vulnerabilities: { a: { via: [5] } } },
  { site: [{ alerts: [{ pluginid: '1', riskcode: '1', instances: 'x' }] }] },
];

describe('builtInParsers', () => {
  it('has one parser per report format', () => {
    expect(builtInParsers.map(p => p.format).sort()).toEqual(
      [...REPORT_FORMATS].sort(),
    );
    for (const parser of builtInParsers) {
      expect(parser.description).toEqual(expect.any(String));
    }
  });

  describe('detection matrix', () => {
    it.each(FIXTURE_NAMES)('%s is detected by its own parser only', name => {
      const doc = loadFixture(name);
      const detectedBy = builtInParsers
        .filter(parser => parser.detect(doc))
        .map(parser => parser.format);
      const expected = EXPECTED_FORMAT[name];
      expect(detectedBy).toEqual(expected ? [expected] : []);
    });

    it('detects nothing in hostile documents, and never throws', () => {
      for (const doc of HOSTILE_DOCUMENTS) {
        for (const parser of builtInParsers) {
          expect(() => parser.detect(doc)).not.toThrow();
        }
      }
      for (const doc of [null, undefined, [], {}, 'a string', 42]) {
        expect(builtInParsers.filter(p => p.detect(doc))).toEqual([]);
      }
    });
  });

  describe('wrong or hostile input', () => {
    it.each(builtInParsers.map(p => [p.format, p] as const))(
      '%s refuses other formats and hostile documents with an InputError',
      (_format, parser: ReportParser) => {
        const others = FIXTURE_NAMES.filter(
          name => EXPECTED_FORMAT[name] !== parser.format,
        );
        expect(others.length).toBeGreaterThan(8);
        for (const name of others) {
          expect(
            inputErrorOf(() => parser.parse(loadFixture(name), LIMITS)),
          ).toBeInstanceOf(InputError);
        }
        for (const doc of HOSTILE_DOCUMENTS) {
          expect(inputErrorOf(() => parser.parse(doc, LIMITS))).toBeInstanceOf(
            InputError,
          );
        }
      },
    );

    /** Every path of a decoded JSON document. */
    function pathsOf(value: unknown, prefix: Array<string | number> = []) {
      const paths: Array<Array<string | number>> = [];
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          paths.push([...prefix, i], ...pathsOf(item, [...prefix, i]));
        });
      } else if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) {
          paths.push([...prefix, key], ...pathsOf(item, [...prefix, key]));
        }
      }
      return paths;
    }

    const REPLACEMENTS = [null, 'x', 7, -1, [], {}, [null], { a: [] }];

    it.each(
      FIXTURE_NAMES.filter(
        name => EXPECTED_FORMAT[name] && typeof loadFixture(name) === 'object',
      ),
    )(
      'reading %s with any value replaced by an odd one never throws a TypeError',
      name => {
        const original = loadFixture(name);
        const parser = builtInParsers.find(
          p => p.format === EXPECTED_FORMAT[name],
        )!;
        const paths = pathsOf(original);
        // at most ~200 paths per file, spread over the whole document
        const step = Math.max(1, Math.floor(paths.length / 200));
        let parsed = 0;
        let refused = 0;
        for (let i = 0; i < paths.length; i += step) {
          const path = paths[i];
          for (const replacement of REPLACEMENTS) {
            const doc = structuredClone(original);
            let parent = doc;
            for (const key of path.slice(0, -1)) {
              parent = parent[key];
            }
            parent[path[path.length - 1]] = structuredClone(replacement);
            try {
              expect(Array.isArray(parser.parse(doc, LIMITS))).toBe(true);
              parsed++;
            } catch (error) {
              if (!(error instanceof InputError)) {
                throw new Error(
                  `${name}: setting ${JSON.stringify(path)} to ${JSON.stringify(
                    replacement,
                  )} threw ${String(error)}`,
                );
              }
              refused++;
            }
          }
        }
        expect(parsed + refused).toBeGreaterThan(0);
      },
    );
  });
});
