import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runPiiScan } from './cli';

describe('portal-pii-scan', () => {
  let dir: string;
  const lines: string[] = [];
  const errors: string[] = [];
  const out = {
    log: (l: string) => lines.push(l),
    error: (l: string) => errors.push(l),
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pii-cli-'));
    await fs.mkdir(path.join(dir, 'docs'));
    await fs.writeFile(
      path.join(dir, 'docs', 'runbook.md'),
      '# On call\nPage jane.doe@northwind.io or call +44 20 7946 0958.\n',
    );
    await fs.writeFile(path.join(dir, 'app.ts'), 'export const x = 1;\n');
    lines.length = 0;
    errors.length = 0;
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('lists what it found, masked, and writes SARIF', async () => {
    const sarif = path.join(dir, 'pii.sarif');
    expect(await runPiiScan(['--sarif', sarif, dir], out)).toBe(0);
    expect(lines).toEqual([
      'docs/runbook.md:2:6 email email j***@n***.io',
      'docs/runbook.md:2:36 phone phone-international +** ** **** **58',
      '2 files scanned, 2 found (1 email, 1 phone)',
      `SARIF written to ${sarif}`,
    ]);
    const log = JSON.parse(await fs.readFile(sarif, 'utf8'));
    expect(log.runs[0].results).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain('jane.doe');
  });

  it('refuses bad usage with a message and exit code 2', async () => {
    expect(await runPiiScan([], out)).toBe(2);
    expect(await runPiiScan(['--max-files', 'lots', dir], out)).toBe(2);
    expect(await runPiiScan(['--frobnicate', dir], out)).toBe(2);
    expect(await runPiiScan([path.join(dir, 'nope')], out)).toBe(2);
    expect(errors.map(e => e.split('\n')[0])).toEqual([
      'give one folder to scan',
      '--max-files takes a whole number above 0',
      'unknown option --frobnicate',
      `${path.join(dir, 'nope')} is not a folder`,
    ]);
  });

  it('runs as a command', () => {
    const bin = path.resolve(__dirname, '../../bin/portal-pii-scan.js');
    const run = spawnSync(process.execPath, [bin, dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('2 files scanned, 2 found (1 email, 1 phone)');
  }, 60_000);
});
