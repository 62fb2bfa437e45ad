#!/usr/bin/env node
/*
 * Every test of the portal, in one run: `./portal test` calls this after it
 * has installed Node 22, yarn, the dependencies and the Debian packages.
 *
 *   type check, lint, formatting,
 *   unit and integration tests of every workspace, with the stores' tests on
 *     SQLite and on a throwaway PostgreSQL started (and stopped) here,
 *   the production build,
 *   end-to-end tests in Debian's Chromium against the portal as `./portal
 *     start` serves it (with a throwaway data folder).
 *
 * Options: --only <step,...> runs some steps (names as printed), --skip <...>.
 * It ends with a line "Result: N passed, M failed".
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_DIR = path.join(ROOT, 'e2e-test-report');
const args = process.argv.slice(2);
const listArg = flag => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1].split(',') : undefined;
};
const only = listArg('--only');
const skip = listArg('--skip') ?? [];

const cleanups = [];
const log = msg => process.stderr.write(`\x1b[1;34m[test]\x1b[0m ${msg}\n`);

function run(cmd, cmdArgs, options = {}) {
  log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const result = spawnSync(cmd, cmdArgs, {
    cwd: ROOT,
    stdio: 'inherit',
    ...options,
    env: { ...process.env, ...options.env },
  });
  return result.status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A throwaway PostgreSQL cluster in a temp folder, on a free loopback port. */
async function startPostgres() {
  const bin = ['18', '17', '16', '15']
    .map(v => `/usr/lib/postgresql/${v}/bin`)
    .find(dir => fs.existsSync(`${dir}/initdb`));
  if (!bin) {
    throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  }
  const major = bin.split('/')[4];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the postgres user.
  const asUser =
    process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length) {
    fs.chmodSync(dir, 0o777);
  }
  const pg = (tool, toolArgs) => {
    const [cmd, ...rest] = [...asUser, `${bin}/${tool}`, ...toolArgs];
    const result = spawnSync(cmd, rest, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
    }
  };
  pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  pg('pg_ctl', [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`,
    'start',
  ]);
  cleanups.push(() => {
    pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  log(`PostgreSQL ${major} on 127.0.0.1:${port} (${dir})`);
  return { major, url: `postgresql://postgres@127.0.0.1:${port}` };
}

/** A throwaway Redis (Debian's redis-server) on a free loopback port. */
async function startRedis() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-redis-'));
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    { stdio: 'ignore' },
  );
  cleanups.push(() => {
    redis.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 30_000;
  while (!(await portInUse(port))) {
    if (Date.now() > deadline || redis.exitCode !== null) {
      throw new Error(
        'redis-server did not start (apt-get install redis-server)',
      );
    }
    await new Promise(r => setTimeout(r, 200));
  }
  log(`Redis on 127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function waitFor(url, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) {
      return false;
    }
    try {
      const res = await fetch(url);
      if (res.status < 500) {
        return true;
      }
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return false;
}

const steps = [
  {
    name: 'typecheck',
    title: 'type check (tsc)',
    run: () => run('yarn', ['tsc']),
  },
  {
    name: 'lint',
    title: 'lint (eslint, every workspace)',
    run: () => run('yarn', ['lint:all']),
  },
  {
    name: 'format',
    title: 'formatting (prettier)',
    run: () => run('yarn', ['prettier:check']),
  },
  {
    name: 'unit',
    title: 'unit and integration tests (SQLite and PostgreSQL)',
    run: async () => {
      const pg = await startPostgres();
      const redis = await startRedis();
      const env = {
        // The two-replica test shares one Redis between its backends.
        PORTAL_TEST_REDIS_URL: redis,
        CI: 'true',
        BACKSTAGE_TEST_DISABLE_DOCKER: '1',
        [`BACKSTAGE_TEST_DATABASE_POSTGRES${pg.major}_CONNECTION_STRING`]:
          pg.url,
        // Tests that must run on PostgreSQL fail instead of skipping.
        PORTAL_TEST_POSTGRES: `POSTGRES_${pg.major}`,
      };
      const jest = (args, extraEnv = {}) => {
        const out = path.join(
          os.tmpdir(),
          `portal-jest-${process.pid}-${Date.now()}.json`,
        );
        const ok = run(
          'yarn',
          [
            'backstage-cli',
            'repo',
            'test',
            '--ci',
            '--json',
            `--outputFile=${out}`,
            ...args,
          ],
          { env: { ...env, ...extraEnv } },
        );
        const report = readJson(out);
        fs.rmSync(out, { force: true });
        return { ok: ok && !!report?.success, report };
      };
      // Suites that load ES modules at run time (Backstage's Kubernetes
      // backend imports its client) need jest's ESM flag, which other
      // suites' CommonJS mocks do not survive: they run on their own.
      const esmSuites = ['packages/backend/src/kubernetes.test.ts'];
      const main = jest([`--testPathIgnorePatterns=${esmSuites.join('|')}`]);
      const esm = jest(esmSuites, {
        NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-vm-modules']
          .filter(Boolean)
          .join(' '),
      });
      const reports = [main.report, esm.report];
      if (reports.some(r => !r)) {
        return { ok: false };
      }
      // A skipped or todo test is a test that did not run: it fails the
      // run, so that the count means what it says.
      const notRun = reports.reduce(
        (n, r) => n + r.numPendingTests + r.numTodoTests,
        0,
      );
      return {
        ok: main.ok && esm.ok && notRun === 0,
        passed: reports.reduce((n, r) => n + r.numPassedTests, 0),
        failed:
          notRun +
          reports.reduce(
            (n, r) => n + r.numFailedTests + r.numRuntimeErrorTestSuites,
            0,
          ),
        failures: [
          ...reports.flatMap(jestFailures),
          ...reports.flatMap(jestNotRun),
        ],
      };
    },
  },
  {
    name: 'build',
    title: 'production build (backend bundle and frontend)',
    run: () => run('yarn', ['build:all']),
  },
  {
    name: 'e2e',
    title: 'end-to-end in Chromium against ./portal start',
    run: async () => {
      for (const port of [3000, 7007]) {
        if (await portInUse(port)) {
          throw new Error(
            `port ${port} is taken: stop the running portal before the end-to-end tests`,
          );
        }
      }
      const data = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-data-'));
      const logFile = path.join(REPORT_DIR, 'portal.log');
      fs.mkdirSync(REPORT_DIR, { recursive: true });
      const out = fs.openSync(logFile, 'w');
      const started = Date.now();
      const portal = spawn(path.join(ROOT, 'portal'), ['start'], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, PORTAL_DATA_DIR: data },
      });
      let alive = true;
      portal.on('exit', () => {
        alive = false;
      });
      cleanups.push(() => {
        if (alive) {
          try {
            process.kill(-portal.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
        fs.rmSync(data, { recursive: true, force: true });
      });
      log(`started the portal (log: ${logFile})`);
      const up =
        (await waitFor(
          'http://localhost:7007/.backstage/health/v1/readiness',
          180_000,
          () => alive,
        )) && (await waitFor('http://localhost:3000', 180_000, () => alive));
      if (!up) {
        log(
          `the portal did not come up; its log:\n${fs
            .readFileSync(logFile, 'utf8')
            .slice(-4000)}`,
        );
        return { ok: false };
      }
      log(
        `portal answering after ${((Date.now() - started) / 1000).toFixed(
          1,
        )} s`,
      );
      const ok = run('yarn', ['playwright', 'test'], {
        env: { PLAYWRIGHT_URL: 'http://localhost:3000' },
      });
      const report = readJson(path.join(REPORT_DIR, 'results.json'));
      if (!report) {
        return { ok: false };
      }
      // A flaky (passed on retry) or skipped end-to-end test fails the run.
      const { expected, unexpected, flaky, skipped } = report.stats;
      return {
        ok: ok && flaky === 0 && skipped === 0,
        passed: expected,
        failed: unexpected + flaky + skipped,
        failures: [
          ...playwrightFailures(report),
          ...(flaky ? [`${flaky} flaky (passed only on retry)`] : []),
          ...(skipped ? [`${skipped} skipped`] : []),
        ],
      };
    },
  },
  {
    name: 'new-plugin',
    title: 'yarn new: generated plugins type check, lint and pass tests',
    run: () => {
      // `yarn new` edits the workspace: it runs on a clean tree only, and
      // everything it touched is put back afterwards.
      const touched = [
        'package.json',
        'yarn.lock',
        'packages/app/package.json',
        'packages/backend/package.json',
        'packages/backend/src/index.ts',
      ];
      const id = 'newprobe';
      const created = [`plugins/${id}`, `plugins/${id}-backend`];
      const status = spawnSync(
        'git',
        ['status', '--porcelain', '--', ...touched, ...created],
        { cwd: ROOT, encoding: 'utf8' },
      );
      if (status.status !== 0 || status.stdout.trim()) {
        log(
          'skipped: commit or stash your changes to package.json files first',
        );
        return { ok: true, passed: 0, failed: 0 };
      }
      cleanups.push(() => {
        spawnSync('git', ['checkout', '--', ...touched], { cwd: ROOT });
        for (const dir of created) {
          fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
        }
        run('yarn', ['install'], mutable);
      });
      // yarn new adds workspaces, so the lockfile must be allowed to change
      // (yarn makes installs immutable when CI is set).
      const mutable = { env: { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' } };
      const checks = [
        ['new', '--select', 'frontend-plugin', '--option', `pluginId=${id}`],
        ['new', '--select', 'backend-plugin', '--option', `pluginId=${id}`],
        ['tsc'],
        ['workspace', `@portal/plugin-${id}`, 'lint'],
        ['workspace', `@portal/plugin-${id}`, 'test', '--watchAll=false'],
        ['workspace', `@portal/plugin-${id}-backend`, 'lint'],
        [
          'workspace',
          `@portal/plugin-${id}-backend`,
          'test',
          '--watchAll=false',
        ],
      ];
      let passed = 0;
      for (const check of checks) {
        if (!run('yarn', check, mutable)) {
          return { ok: false, passed, failed: 1 };
        }
        passed += 1;
      }
      return { ok: true, passed, failed: 0 };
    },
  },
];

/** The start of an error (its first lines, without colour codes), short. */
const firstLine = text =>
  String(text ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' | ')
    .slice(0, 300);

/** Failed jest tests (and suites that did not run) as "file › test: error". */
function jestFailures(report) {
  return report.testResults.flatMap(file => {
    const where = path.relative(ROOT, file.name);
    const tests = (file.assertionResults ?? [])
      .filter(t => t.status === 'failed')
      .map(
        t => `${where} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`,
      );
    if (!tests.length && file.status === 'failed') {
      return [`${where}: ${firstLine(file.message)}`];
    }
    return tests;
  });
}

/** Skipped and todo jest tests, as "file › test: skipped". */
function jestNotRun(report) {
  return report.testResults.flatMap(file =>
    (file.assertionResults ?? [])
      .filter(t => t.status === 'pending' || t.status === 'todo')
      .map(
        t =>
          `${path.relative(ROOT, file.name)} › ${t.fullName}: ${
            t.status === 'todo' ? 'todo' : 'skipped'
          }`,
      ),
  );
}

/** Failed Playwright tests as "file › title: error", from its JSON report. */
function playwrightFailures(report) {
  const failures = [];
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected') continue;
        const last = (t.results ?? []).filter(r => r.error).pop();
        failures.push(
          `${spec.file} › ${[...titles, spec.title].join(' › ')}: ${firstLine(
            last?.error?.message,
          )}`,
        );
      }
    }
    for (const child of suite.suites ?? []) {
      walk(
        child,
        suite.title && !suite.title.endsWith('.ts')
          ? [...titles, suite.title]
          : titles,
      );
    }
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  return failures;
}

async function main() {
  const selected = steps.filter(
    s => (!only || only.includes(s.name)) && !skip.includes(s.name),
  );
  const results = [];
  for (const step of selected) {
    log(`── ${step.title}`);
    const started = Date.now();
    let outcome;
    try {
      const value = await step.run();
      outcome = typeof value === 'boolean' ? { ok: value } : value;
    } catch (error) {
      log(`${step.name}: ${error.message}`);
      outcome = { ok: false };
    }
    while (cleanups.length) {
      try {
        cleanups.pop()();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
    // A step that counts its own tests reports them; any other step is one
    // check. A step whose runner failed counts at least one failure.
    const passed = outcome.passed ?? (outcome.ok ? 1 : 0);
    const failed = outcome.failed ?? (outcome.ok ? 0 : 1);
    results.push({
      step,
      passed,
      failed: outcome.ok ? failed : Math.max(failed, 1),
      seconds: (Date.now() - started) / 1000,
      failures: outcome.failures ?? [],
    });
  }

  console.log('\nPortal test summary');
  for (const r of results) {
    console.log(
      `  ${r.failed ? 'FAIL' : 'ok  '}  ${r.step.title.padEnd(56)} ${String(
        r.passed,
      ).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${r.seconds
        .toFixed(0)
        .padStart(5)} s`,
    );
  }
  // What failed, so the last lines of a CI log say which test and why.
  for (const r of results) {
    for (const failure of r.failures.slice(0, 10)) {
      console.log(`  ✗ ${r.step.name}: ${failure}`);
    }
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  let failed = results.reduce((n, r) => n + r.failed, 0);
  // The floor: a full run has at least this many tests (.ci/test-floor);
  // fewer means tests were lost, which fails the run.
  const full = !only && skip.length === 0;
  const floor = Number(
    fs.readFileSync(path.join(ROOT, '.ci/test-floor'), 'utf8').trim(),
  );
  if (full && passed < floor) {
    console.log(
      `  ✗ ${passed} tests passed, fewer than the floor of ${floor} in .ci/test-floor`,
    );
    failed += 1;
  }
  console.log(`Result: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    while (cleanups.length) {
      try {
        cleanups.pop()();
      } catch {
        // best effort
      }
    }
    process.exit(130);
  });
}

main();
