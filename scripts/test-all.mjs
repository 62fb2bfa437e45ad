#!/usr/bin/env node
/*
 * Every test of the portal, in one run: `./portal test` calls this after it
 * has installed Node 22, yarn, the dependencies and the Debian packages.
 *
 *   type check, lint, formatting,
 *   unit and integration tests of every workspace, with the stores' tests on
 *     SQLite and on a throwaway PostgreSQL started (and stopped) here,
 *   the production build,
 *   the production image, built from the Dockerfile and run against
 *     PostgreSQL and Redis (scripts/lib/image.mjs),
 *   end-to-end tests in Debian's Chromium against the portal as `./portal
 *     start` serves it (with a throwaway data folder, and the scripted model
 *     of scripts/scripted-model.ts as the assistant's model).
 *
 * Options: --only <step,...> runs some steps (names as printed), --skip <...>.
 * It ends with a line "Result: N passed, M failed".
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  portInUse,
  startPostgres,
  startRedis,
} from './lib/services.mjs';
import { buildImage, DOCKER, ensureBase, ensureDocker } from './lib/image.mjs';

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

/**
 * A helper server of scripts/ (run with Backstage's TypeScript transform)
 * on a free port, stopped with the other cleanups; its log is
 * e2e-test-report/<name>.log. Resolves with its base URL (with `urlPath`),
 * or undefined when it did not answer `probePath` within 30 s.
 */
async function startHelper(name, urlPath, probePath) {
  const port = await freePort();
  const logFile = path.join(REPORT_DIR, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const helper = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli-node/config/nodeTransform.cjs',
      `scripts/${name}.ts`,
      '--port',
      String(port),
    ],
    { cwd: ROOT, stdio: ['ignore', out, out] },
  );
  let alive = true;
  helper.on('exit', () => {
    alive = false;
  });
  cleanups.push(() => {
    if (alive) helper.kill('SIGTERM');
  });
  const baseUrl = `http://127.0.0.1:${port}${urlPath}`;
  if (!(await waitFor(`${baseUrl}${probePath}`, 30_000, () => alive))) {
    log(`${name} did not start; its log:\n${fs.readFileSync(logFile, 'utf8')}`);
    return undefined;
  }
  log(`${name} at ${baseUrl} (log: ${logFile})`);
  return { baseUrl };
}

/**
 * `backstage-cli repo test` (or `package test` with cwd) with jest's JSON
 * report: { ok, report }.
 */
function runJest(args, env, { cwd = ROOT, scope = 'repo' } = {}) {
  const out = path.join(
    os.tmpdir(),
    `portal-jest-${process.pid}-${Date.now()}.json`,
  );
  const ok = run(
    'yarn',
    [
      'backstage-cli',
      scope,
      'test',
      '--ci',
      '--json',
      `--outputFile=${out}`,
      ...args,
    ],
    { cwd, env },
  );
  const report = readJson(out);
  fs.rmSync(out, { force: true });
  return { ok: ok && !!report?.success, report };
}

/**
 * A step's result from its jest runs. A skipped or todo test is a test that
 * did not run: it fails the run, so that the count means what it says.
 */
function summariseJest(runs) {
  const reports = runs.map(r => r.report);
  if (reports.some(r => !r)) {
    return { ok: false };
  }
  const notRun = reports.reduce(
    (n, r) => n + r.numPendingTests + r.numTodoTests,
    0,
  );
  return {
    ok: runs.every(r => r.ok) && notRun === 0,
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
      const pg = await startPostgres(cleanups, log);
      const redis = await startRedis(cleanups, log);
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
      const jest = (args, extraEnv = {}) =>
        runJest(args, { ...env, ...extraEnv });
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
      return summariseJest([main, esm]);
    },
  },
  {
    name: 'build',
    title: 'production build (backend bundle and frontend)',
    run: () => run('yarn', ['build:all']),
  },
  {
    name: 'image',
    title:
      'production image: built from the Dockerfile, run against PostgreSQL and Redis',
    run: async () => {
      const notRun = reason => {
        log(`the image test could not run: ${reason}`);
        return {
          ok: false,
          failed: 1,
          failures: [`image: not run: ${reason}`],
        };
      };
      const docker = await ensureDocker(cleanups, log);
      if (!docker.ok) {
        return notRun(docker.reason);
      }
      const base = ensureBase({ nodeDir: path.join(ROOT, '.tools/node'), log });
      if (!base.ok) {
        return notRun(base.reason);
      }
      const tag = 'acme-developer-portal:test';
      const registry = spawnSync('npm', ['config', 'get', 'registry'], {
        encoding: 'utf8',
      })
        .stdout.trim()
        .replace(/\/+$/, '');
      // The vfs storage driver keeps every layer of every build in full,
      // far more on disk than Docker reports (65 GB on this machine once,
      // for 4 GB reported, until a build failed for want of space). So
      // nothing is kept from one run to the next but the base image: the
      // test's image, dangling images and the whole build cache go before
      // the build (what a failed run left) and after the test.
      const prune = () => {
        spawnSync(DOCKER, ['image', 'rm', '--force', tag], { stdio: 'ignore' });
        spawnSync(DOCKER, ['image', 'prune', '--force'], { stdio: 'ignore' });
        spawnSync(DOCKER, ['builder', 'prune', '--all', '--force'], {
          stdio: 'ignore',
        });
      };
      prune();
      cleanups.push(prune);
      const built = await buildImage({
        root: ROOT,
        base: base.tag,
        tag,
        registry,
        log,
      });
      if (!built.ok) {
        return notRun(built.reason);
      }
      const pg = await startPostgres(cleanups, log);
      const redis = await startRedis(cleanups, log);
      return summariseJest([
        runJest(
          ['--testMatch', '**/*.imagetest.ts'],
          {
            CI: 'true',
            PORTAL_TEST_IMAGE: tag,
            PORTAL_TEST_IMAGE_POSTGRES: pg.url,
            PORTAL_TEST_IMAGE_REDIS: redis,
          },
          { cwd: path.join(ROOT, 'packages/backend'), scope: 'package' },
        ),
      ]);
    },
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

      // The assistant's model: the scripted one (scripts/scripted-model.ts),
      // and GitHub's issues API answering recorded responses
      // (scripts/fake-github.ts), given to the portal through Backstage's
      // APP_CONFIG_ overrides.
      const model = await startHelper('scripted-model', '/v1', '/models');
      const github = await startHelper('fake-github', '', '/');
      if (!model || !github) {
        return { ok: false };
      }

      const started = Date.now();
      const portal = spawn(path.join(ROOT, 'portal'), ['start'], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          PORTAL_DATA_DIR: data,
          APP_CONFIG_assistant_openai_baseUrl: model.baseUrl,
          APP_CONFIG_assistant_openai_model: 'scripted',
          APP_CONFIG_integrations_github: JSON.stringify([
            { host: 'github.com', apiBaseUrl: github.baseUrl, token: 'e2e' },
          ]),
        },
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
