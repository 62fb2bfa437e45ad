import { defineConfig } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import chromium from './scripts/chromium.cjs';

/**
 * End-to-end tests run in Debian's Chromium (never a browser that Playwright
 * downloads) against a running portal. `./portal test` starts the portal with
 * a throwaway data folder and points PLAYWRIGHT_URL at it; to run them by hand
 * against `./portal start`, use `yarn test:e2e`.
 */
// Every workspace with an e2e-tests folder is one project.
const projects = ['packages', 'plugins'].flatMap(group =>
  readdirSync(resolve(__dirname, group))
    .map(name => resolve(__dirname, group, name, 'e2e-tests'))
    .filter(dir => existsSync(dir))
    .map(testDir => ({ name: testDir.split('/').slice(-2)[0], testDir })),
);

export default defineConfig({
  // CI runs on two busy cores against the dev server: a page that takes a
  // minute to settle there is slow, not broken. Expectations keep their own
  // 30 s.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [
    ['list'],
    ['json', { outputFile: 'e2e-test-report/results.json' }],
    ['html', { open: 'never', outputFolder: 'e2e-test-report/html' }],
  ],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions: chromium,
  },
  outputDir: 'e2e-test-report/artifacts',
  projects,
});
