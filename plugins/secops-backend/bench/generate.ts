/*
 * Deterministic (seeded) generators of large reports for the ingestion
 * benchmark: a SARIF 2.1.0 log shaped like a Semgrep / CodeQL run, and a
 * CycloneDX 1.5 BOM with vulnerabilities shaped like a Trivy / Grype one. The
 * shapes follow the real reports in fixtures/sarif and fixtures/cyclonedx.
 * Everything is built in memory; nothing is written to disk.
 */

/** A small seeded PRNG (mulberry32): the same seed gives the same report. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) =>
      min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T =>
      items[Math.floor(next() * items.length)],
    hex: (length: number) => {
      let out = '';
      while (out.length < length) {
        out += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      }
      return out.slice(0, length);
    },
  };
}

const WORDS = [
  'user',
  'input',
  'query',
  'request',
  'handler',
  'token',
  'session',
  'config',
  'payload',
  'buffer',
  'stream',
  'path',
  'template',
  'render',
  'command',
  'shell',
  'cookie',
  'header',
  'redirect',
  'parser',
];

const RULE_KINDS = [
  {
    slug: 'sql-injection',
    name: 'SQL injection',
    text: 'Detected string concatenation in a SQL query built from {0}; use parameterised queries instead.',
    tags: ['security', 'external/cwe/cwe-089'],
  },
  {
    slug: 'command-injection',
    name: 'OS command injection',
    text: 'Untrusted data from {0} reaches a shell command. Avoid shell=True and pass arguments as a list.',
    tags: ['security', 'external/cwe/cwe-078'],
  },
  {
    slug: 'path-traversal',
    name: 'Path traversal',
    text: 'The file path is built from {0} without normalisation, which allows reading files outside the intended directory.',
    tags: ['security', 'external/cwe/cwe-022'],
  },
  {
    slug: 'xss-reflected',
    name: 'Reflected cross-site scripting',
    text: 'User-controlled {0} is written to the response without escaping.',
    tags: ['security', 'external/cwe/cwe-079'],
  },
  {
    slug: 'insecure-deserialization',
    name: 'Insecure deserialization',
    text: 'Deserialising {0} with pickle/yaml.load can execute arbitrary code.',
    tags: ['security', 'external/cwe/cwe-502'],
  },
  {
    slug: 'weak-hash',
    name: 'Weak hash algorithm',
    text: 'MD5/SHA1 is used to hash {0}; use SHA-256 or a password hash.',
    tags: ['security', 'external/cwe/cwe-328'],
  },
  {
    slug: 'open-redirect',
    name: 'Open redirect',
    text: 'The redirect target comes from {0} and is not checked against an allow list.',
    tags: ['security', 'external/cwe/cwe-601'],
  },
  {
    slug: 'hardcoded-secret',
    name: 'Hard-coded secret',
    text: 'A hard-coded secret is assigned to {0}.',
    tags: ['security', 'secret', 'external/cwe/cwe-798'],
  },
  {
    slug: 'ssrf',
    name: 'Server-side request forgery',
    text: 'An outgoing request URL is built from {0}.',
    tags: ['security', 'external/cwe/cwe-918'],
  },
  {
    slug: 'regex-dos',
    name: 'Regular expression denial of service',
    text: 'The regular expression applied to {0} has exponential backtracking.',
    tags: ['security', 'external/cwe/cwe-1333'],
  },
] as const;

const LANGS = [
  { lang: 'python', ext: 'py' },
  { lang: 'javascript', ext: 'js' },
  { lang: 'typescript', ext: 'ts' },
  { lang: 'java', ext: 'java' },
  { lang: 'go', ext: 'go' },
] as const;

const LEVELS = ['error', 'warning', 'warning', 'note'] as const;

export interface GeneratedReport {
  body: Buffer;
  /** Results (SARIF) or vulnerabilities (CycloneDX) in the report. */
  items: number;
}

/**
 * A SARIF 2.1.0 log with `results` results over `rules` rules and `files`
 * files. Most results carry partialFingerprints (as CodeQL and Semgrep
 * produce); the rest are fingerprinted by the parser from their snippet,
 * which is unique per result so that every result is a distinct finding.
 */
export function generateSarif(options: {
  results: number;
  rules: number;
  files: number;
  seed: number;
}): GeneratedReport {
  const rnd = seededRandom(options.seed);
  const rules = Array.from({ length: options.rules }, (_, i) => {
    const kind = RULE_KINDS[i % RULE_KINDS.length];
    const { lang } = LANGS[i % LANGS.length];
    const id = `${lang}.lang.security.${kind.slug}.${kind.slug}-${i}`;
    const level = rnd.pick(LEVELS);
    const properties: Record<string, unknown> = {
      tags: [...kind.tags, lang],
      precision: rnd.pick(['high', 'medium', 'very-high']),
    };
    if (rnd.next() < 0.6) {
      properties['security-severity'] = (rnd.int(20, 98) / 10).toFixed(1);
    }
    return {
      id,
      name: `${kind.slug}-${i}`,
      shortDescription: { text: `${kind.name} (${lang}, variant ${i})` },
      fullDescription: {
        text: `${kind.name}. ${kind.text.replace(
          '{0}',
          'untrusted input',
        )} This rule flags the ${lang} pattern ${i} of this weakness.`,
      },
      help: {
        text: `See https://semgrep.dev/r/${id} for how to fix this.`,
        markdown: `See [the rule](https://semgrep.dev/r/${id}) for how to fix this.`,
      },
      helpUri: `https://semgrep.dev/r/${id}`,
      defaultConfiguration: { level },
      properties,
    };
  });
  const files = Array.from({ length: options.files }, (_, i) => {
    const { ext } = LANGS[i % LANGS.length];
    return `services/svc-${i % 37}/src/${rnd.pick(WORDS)}/${rnd.pick(
      WORDS,
    )}_${i}.${ext}`;
  });

  const results = Array.from({ length: options.results }, (_, i) => {
    const ruleIndex = rnd.int(0, rules.length - 1);
    const rule = rules[ruleIndex];
    const kind = RULE_KINDS[ruleIndex % RULE_KINDS.length];
    const uri = rnd.pick(files);
    const startLine = rnd.int(1, 2400);
    const variable = `${rnd.pick(WORDS)}_${rnd.pick(WORDS)}_${i}`;
    const result: Record<string, unknown> = {
      ruleId: rule.id,
      ruleIndex,
      level: rnd.next() < 0.8 ? rule.defaultConfiguration.level : 'error',
      message: { text: kind.text.replace('{0}', `'${variable}'`) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            region: {
              startLine,
              startColumn: rnd.int(1, 40),
              endLine: startLine + rnd.int(0, 3),
              endColumn: rnd.int(5, 120),
              snippet: {
                text: `    result = ${rnd.pick(WORDS)}(${variable}, ${rnd.pick(
                  WORDS,
                )})\n`,
              },
            },
          },
        },
      ],
    };
    if (rnd.next() < 0.9) {
      result.partialFingerprints = {
        primaryLocationLineHash: `${i.toString(16).padStart(6, '0')}${rnd.hex(
          10,
        )}:1`,
      };
    }
    if (rnd.next() < 0.3) {
      result.properties = { confidence: rnd.pick(['HIGH', 'MEDIUM', 'LOW']) };
    }
    return result;
  });

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Semgrep OSS',
            semanticVersion: '1.99.0',
            informationUri: 'https://semgrep.dev',
            rules,
          },
        },
        invocations: [
          { executionSuccessful: true, endTimeUtc: '2026-11-20T10:00:00Z' },
        ],
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///src/' } },
        results,
      },
    ],
  };
  return { body: Buffer.from(JSON.stringify(log)), items: results.length };
}

const ECOSYSTEMS = [
  { type: 'npm', scope: '@acme' },
  { type: 'maven', scope: 'org.acme' },
  { type: 'pypi', scope: undefined },
  { type: 'golang', scope: 'github.com/acme' },
] as const;

function CVSS_SEVERITY(score: number) {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/**
 * A CycloneDX 1.5 BOM with `components` library components and
 * `vulnerabilities` vulnerabilities, each affecting one component (so one
 * finding each), with NVD and GHSA ratings, references and advisories.
 */
export function generateCycloneDx(options: {
  components: number;
  vulnerabilities: number;
  seed: number;
}): GeneratedReport {
  const rnd = seededRandom(options.seed);
  const components = Array.from({ length: options.components }, (_, i) => {
    const eco = ECOSYSTEMS[i % ECOSYSTEMS.length];
    const name = `${rnd.pick(WORDS)}-${rnd.pick(WORDS)}-${i}`;
    const version = `${rnd.int(0, 9)}.${rnd.int(0, 30)}.${rnd.int(0, 20)}`;
    const namespace =
      eco.scope && rnd.next() < 0.5
        ? `/${eco.type === 'npm' ? encodeURIComponent(eco.scope) : eco.scope}`
        : '';
    const purl = `pkg:${eco.type}${namespace}/${name}@${version}`;
    return {
      'bom-ref': purl,
      type: 'library',
      group: namespace ? eco.scope : undefined,
      name,
      version,
      purl,
      licenses: [
        { license: { id: rnd.pick(['MIT', 'Apache-2.0', 'BSD-3-Clause']) } },
      ],
      hashes: [{ alg: 'SHA-256', content: rnd.hex(64) }],
    };
  });

  const vulnerabilities = Array.from(
    { length: options.vulnerabilities },
    (_, i) => {
      const id = `CVE-${2015 + (i % 11)}-${String(10000 + i)}`;
      const component = rnd.pick(components);
      const score = rnd.int(10, 100) / 10;
      const fixed = `${component.version.split('.')[0]}.${rnd.int(31, 60)}.0`;
      const ghsa = `GHSA-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}`;
      const vuln: Record<string, unknown> = {
        'bom-ref': `vuln-${i}`,
        id,
        source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` },
        references: [
          {
            id: ghsa,
            source: {
              name: 'GitHub Advisory Database',
              url: `https://github.com/advisories/${ghsa}`,
            },
          },
        ],
        ratings: [
          {
            source: { name: 'nvd' },
            score,
            severity: CVSS_SEVERITY(score),
            method: 'CVSSv31',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          },
          { source: { name: 'ghsa' }, severity: CVSS_SEVERITY(score) },
        ],
        cwes: [rnd.pick([79, 89, 22, 400, 502, 787, 1333])],
        description: `A flaw was found in ${
          component.name
        } before ${fixed}: improper handling of ${rnd.pick(WORDS)} ${rnd.pick(
          WORDS,
        )} allows a remote attacker to cause a denial of service or possibly execute code via a crafted ${rnd.pick(
          WORDS,
        )}.`,
        recommendation: `Upgrade ${component.name} to version ${fixed} or later.`,
        advisories: [
          { url: `https://github.com/advisories/${ghsa}` },
          { url: `https://nvd.nist.gov/vuln/detail/${id}` },
        ],
        published: '2024-03-01T00:00:00Z',
        updated: '2024-06-01T00:00:00Z',
        affects: [
          {
            ref: component['bom-ref'],
            versions: [{ version: component.version, status: 'affected' }],
          },
        ],
      };
      if (rnd.next() < 0.1) {
        vuln.analysis = { state: 'in_triage' };
      }
      return vuln;
    },
  );

  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(
      3,
    )}-8${rnd.hex(3)}-${rnd.hex(12)}`,
    version: 1,
    metadata: {
      timestamp: '2026-11-20T10:00:00Z',
      tools: {
        components: [
          {
            type: 'application',
            group: 'aquasecurity',
            name: 'trivy',
            version: '0.58.0',
          },
        ],
      },
      component: {
        'bom-ref': 'bench-service',
        type: 'application',
        name: 'ghcr.io/acme/bench-service:1.0.0',
      },
    },
    components,
    vulnerabilities,
  };
  return {
    body: Buffer.from(JSON.stringify(bom)),
    items: vulnerabilities.length,
  };
}
