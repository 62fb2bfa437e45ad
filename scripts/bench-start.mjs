#!/usr/bin/env node
/*
 * How long from `./portal start` to a signed-in person seeing the catalog, on
 * a machine where the set-up has already run. Starts the portal with an empty
 * data folder (so the catalog is loaded from catalog/ as on a first start),
 * then drives Debian's Chromium: sign in as a demo user, wait for the catalog
 * table. Prints the figures; the goal is under 3 minutes.
 *
 *   ./portal yarn node scripts/bench-start.mjs
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import launchOptions from './chromium.cjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-data-'));
const logFile = path.join(os.tmpdir(), `portal-bench-${process.pid}.log`);
const out = fs.openSync(logFile, 'w');

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const portal = spawn(path.join(ROOT, 'portal'), ['start'], {
  cwd: ROOT,
  detached: true,
  stdio: ['ignore', out, out],
  env: { ...process.env, PORTAL_DATA_DIR: data },
});
const stop = () => {
  try {
    process.kill(-portal.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  fs.rmSync(data, { recursive: true, force: true });
};

async function until(what, check, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) {
        console.log(`${what.padEnd(44)} ${seconds().padStart(6)} s`);
        return;
      }
    } catch {
      // not yet
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `${what}: not within ${timeoutMs / 1000} s (log: ${logFile})`,
  );
}

let browser;
try {
  await until('backend ready (:7007)', async () => {
    const res = await fetch(
      'http://localhost:7007/.backstage/health/v1/readiness',
    );
    return res.ok;
  });
  await until('frontend served (:3000)', async () => {
    const res = await fetch('http://localhost:3000');
    return res.ok;
  });
  browser = await chromium.launch(launchOptions);
  const page = await browser.newPage();
  await until('sign-in page lists the demo users', async () => {
    await page.goto('http://localhost:3000/', { timeout: 60_000 });
    await page
      .getByRole('button', { name: 'Sign in as Ben Okafor' })
      .waitFor({ timeout: 5_000 });
    return true;
  });
  await page.getByRole('button', { name: 'Sign in as Ben Okafor' }).click();
  await until('catalog shows the team’s components', async () => {
    await page
      .getByRole('link', { name: 'cart-service' })
      .waitFor({ timeout: 1_000 });
    return true;
  });
  console.log(`Start to first catalog page: ${seconds()} s (goal: 180 s)`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await browser?.close();
  stop();
}
