import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bsnValid, ibanValid, luhnValid, personnummerValid } from './checks';
import { scanLine } from './rules';
import { piiSarif } from './sarif';
import { scanFolder, scanText } from './scan';

const found = (line: string) =>
  scanLine(line).map(m => ({
    rule: m.rule,
    value: line.slice(m.start, m.start + m.length),
  }));

describe('check digits', () => {
  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });

  it('IBAN mod 97 and country length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one short
    expect(ibanValid('ZZ89370400440532013000')).toBe(false);
  });

  it('BSN 11-check', () => {
    expect(bsnValid('111222333')).toBe(true);
    expect(bsnValid('111222334')).toBe(false);
    expect(bsnValid('000000000')).toBe(false);
  });

  it('Swedish personnummer: date and Luhn', () => {
    expect(personnummerValid('811218', '9876')).toBe(true);
    expect(personnummerValid('811218', '9877')).toBe(false);
    expect(personnummerValid('811318', '9876')).toBe(false); // month 13
  });
});

describe('scanLine', () => {
  it.each([
    [
      'Contact jane.doe@northwind.io for access',
      'email',
      'jane.doe@northwind.io',
    ],
    ['mailto:payroll@acme.co.uk', 'email', 'payroll@acme.co.uk'],
    ['call +44 20 7946 0958 now', 'phone-international', '+44 20 7946 0958'],
    ['office: (415) 555-0132', 'phone-north-america', '(415) 555-0132'],
    ['fax 415.555.0132', 'phone-north-america', '415.555.0132'],
    ['card 4111 1111 1111 1111 exp', 'payment-card', '4111 1111 1111 1111'],
    ['amex 3782-822463-10005', 'payment-card', '3782-822463-10005'],
    [
      'iban: DE89 3704 0044 0532 0130 00 please',
      'iban',
      'DE89 3704 0044 0532 0130 00',
    ],
    ['"iban":"GB82WEST12345698765432"', 'iban', 'GB82WEST12345698765432'],
    ['ssn=123-45-6789', 'us-ssn', '123-45-6789'],
    ['NI number AB 12 34 56 C', 'uk-nino', 'AB 12 34 56 C'],
    ['BSN: 111222333', 'nl-bsn', '111222333'],
    ['personnummer 19811218-9876', 'se-personnummer', '19811218-9876'],
    [
      'aws_access_key_id = AKIAZ7Q3RK2MVN5TXW4B',
      'aws-access-key',
      'AKIAZ7Q3RK2MVN5TXW4B',
    ],
    [
      'AWS_SECRET_ACCESS_KEY="k9Zq2Lm/7XvB4nR8tY1wE3uI6oP0aS5dF+gH2jKc"',
      'aws-secret-key',
      'k9Zq2Lm/7XvB4nR8tY1wE3uI6oP0aS5dF+gH2jKc',
    ],
    [
      'token: ghp_8fK2mQ9zLx4Rt7Vb1Nc6Wd3Ye5Ua0Js2Hg4P',
      'github-token',
      'ghp_8fK2mQ9zLx4Rt7Vb1Nc6Wd3Ye5Ua0Js2Hg4P',
    ],
    [
      'SLACK=xoxb-2048123456-4096123456-q8Zr4Tn2Lm6Vx1Pk9Wc3Yd7B',
      'slack-token',
      'xoxb-2048123456-4096123456-q8Zr4Tn2Lm6Vx1Pk9Wc3Yd7B',
    ],
    [
      'key=AIzaSyD4k9Lm2Qx7Rt1Vb5Nc8Wd3Ye6Ua0Js2Hg',
      'google-api-key',
      'AIzaSyD4k9Lm2Qx7Rt1Vb5Nc8Wd3Ye6Ua0Js2Hg',
    ],
    [
      'STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc9Xq2',
      'stripe-secret-key',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc9Xq2',
    ],
    [
      '-----BEGIN RSA PRIVATE KEY-----',
      'private-key',
      '-----BEGIN RSA PRIVATE KEY-----',
    ],
  ])('finds %j', (line, rule, value) => {
    expect(found(line)).toEqual([{ rule, value }]);
  });

  it.each([
    'see alice@example.com or bob@team.example',
    'git clone git@github.com:acme/payments.git',
    'import x from "@backstage/core-plugin-api"',
    'background: url(logo@2x.png)',
    'image: registry/app@sha256:4f1c2b7e9a',
    'version 1.22.3 released 2024-06-01 at 10.0.0.12:8080',
    'order 4111111111111112 shipped', // Luhn fails
    'timestamp 1717243200123', // 13 digits, no card network
    'iban DE89 3704 0044 0532 0130 01', // wrong checksum
    'ssn 000-12-3456 and 666-12-3456 and 912-12-3456',
    'id 111222333 of the order', // nine digits, no BSN keyword
    'AKIAIOSFODNN7EXAMPLE',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
    '-----BEGIN PUBLIC KEY-----',
    'STRIPE=sk_test_4eC39HqLyjWDarjtT1zdp7dc9Xq2',
    'uuid 3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f sha 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'total = price + 4420794609',
    'timezone UTC+05:30',
  ])('finds nothing in %j', line => {
    expect(found(line)).toEqual([]);
  });

  it('masks: the value never appears in what a match carries', () => {
    const line =
      'jane.doe@northwind.io 4111 1111 1111 1111 DE89370400440532013000 ghp_8fK2mQ9zLx4Rt7Vb1Nc6Wd3Ye5Ua0Js2Hg4P 123-45-6789';
    const matches = scanLine(line);
    expect(matches.map(m => m.masked)).toEqual([
      'j***@n***.io',
      '**** **** **** 1111',
      'DE****************3000',
      'ghp_… (40 characters)',
      '***-**-**89',
    ]);
    for (const m of matches) {
      expect(JSON.stringify(m)).not.toContain(
        line.slice(m.start, m.start + m.length),
      );
    }
  });

  it('keeps the longest of overlapping candidates', () => {
    expect(found('+1 (415) 555-0132')).toEqual([
      { rule: 'phone-international', value: '+1 (415) 555-0132' },
    ]);
  });
});

describe('scanText and scanFolder', () => {
  it('reports 1-based lines and columns', () => {
    expect(scanText('first\n  x: 123-45-6789\r\nlast')).toEqual([
      expect.objectContaining({ rule: 'us-ssn', line: 2, column: 6 }),
    ]);
  });

  it('walks a folder in order, skipping binaries, big files and dependency folders', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pii-'));
    try {
      await fs.mkdir(path.join(root, 'docs'));
      await fs.mkdir(path.join(root, 'node_modules', 'x'), { recursive: true });
      await fs.writeFile(path.join(root, 'docs', 'b.md'), 'mail ops@acme.io\n');
      await fs.writeFile(path.join(root, 'a.env'), 'X=1\nSSN=123-45-6789\n');
      await fs.writeFile(
        path.join(root, 'node_modules', 'x', 'c.md'),
        'ops@acme.io',
      );
      await fs.writeFile(
        path.join(root, 'img.bin'),
        Buffer.from([0, 1, 2, 0x40]),
      );
      await fs.writeFile(path.join(root, 'big.log'), 'a@acme.io\n'.repeat(50));
      const result = await scanFolder(root, { maxFileBytes: 100 });
      expect(result.matches.map(m => [m.file, m.line, m.kind])).toEqual([
        ['a.env', 2, 'national-id'],
        ['docs/b.md', 1, 'email'],
      ]);
      expect(result.filesScanned).toBe(2);
      expect(result.filesSkipped.sort()).toEqual(['big.log', 'img.bin']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('piiSarif', () => {
  it('writes SARIF 2.1.0 with masked values, stable fingerprints and no value', () => {
    const text = 'owner: jane.doe@northwind.io\nkey: AKIAZ7Q3RK2MVN5TXW4B\n';
    const matches = scanText(text).map(m => ({ ...m, file: 'docs/index.md' }));
    const log = piiSarif(matches) as any;
    const [run] = log.runs;
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('portal-pii-scanner');
    expect(
      run.results.map((r: any) => [r.ruleId, r.level, r.message.text]),
    ).toEqual([
      ['pii/email', 'warning', 'Email address: j***@n***.io'],
      [
        'pii/aws-access-key',
        'error',
        'AWS access key id: AKIA… (20 characters)',
      ],
    ]);
    expect(run.results[1].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'docs/index.md' },
      region: { startLine: 2, startColumn: 6, endColumn: 26 },
    });
    const rules = new Set(run.tool.driver.rules.map((r: any) => r.id));
    for (const result of run.results)
      expect(rules.has(result.ruleId)).toBe(true);
    const json = JSON.stringify(log);
    expect(json).not.toContain('jane.doe');
    expect(json).not.toContain('AKIAZ7Q3RK2MVN5TXW4B');
    expect(piiSarif(matches)).toEqual(log);
  });
});
