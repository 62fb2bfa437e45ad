import { test, expect, Page } from '@playwright/test';
import { expectAccessible } from './accessibility';

/*
 * Reliability on the embedded default: the demo SLOs (catalog/slos) are
 * evaluated against the local Prometheus the backend starts with four
 * weeks of backfilled demo traffic, and the tabs show live values.
 */

const shot = (page: Page, name: string) =>
  page.screenshot({
    path: `e2e-test-report/screenshots/${name}.png`,
    fullPage: true,
  });

test('a developer sees the error budgets of a service, and its team every SLO worst first', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in as Ben Okafor' }).click();
  await expect(page.getByText('Your teams’ services')).toBeVisible();

  // The demo Prometheus backfills its history on the first start: the
  // first evaluation with live values can take a minute or two.
  await expect(async () => {
    await page.goto('/catalog/default/component/payments-api/reliability');
    await expect(page.getByText('Burning fast')).toBeVisible({
      timeout: 10_000,
    });
  }).toPass({ timeout: 240_000, intervals: [5_000] });
  await expect(page.getByText(/From Prometheus demo/)).toBeVisible();
  await expect(page.getByText('Availability', { exact: true })).toBeVisible();
  await expect(
    page.getByRole('meter', { name: 'Error budget remaining' }).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('img', { name: 'Error budget remaining over time' }).first(),
  ).toBeVisible();
  await page.setViewportSize({ width: 1400, height: 1300 });
  await shot(page, 'reliability-entity');
  await expectAccessible(page, 'reliability-entity');

  // Every service's SLOs evaluated (each minute, after the demo
  // Prometheus's backfill): cart-service has spent its budget.
  await expect(async () => {
    await page.goto('/catalog/default/group/team-checkout/reliability');
    await expect(
      page.getByText(/SLOs, worst first \(\d+ across \d+ entities\)/),
    ).toBeVisible({ timeout: 10_000 });
    await expect(page.getByText('Budget exhausted').first()).toBeVisible({
      timeout: 10_000,
    });
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  // cart-service spent its budget: it leads the table and the hardening list.
  const candidates = page
    .locator('text=Hardening candidates')
    .locator('xpath=ancestor::*[contains(@class,"MuiCard-root")]');
  await expect(
    candidates.getByRole('link', { name: 'cart-service' }),
  ).toBeVisible();
  await shot(page, 'reliability-group');
  await expectAccessible(page, 'reliability-group');

  // The home page says which of the team's SLOs burn.
  await page.goto('/');
  await expect(page.getByText('SLOs burning')).toBeVisible();
  await expect(page.getByText('Budget exhausted').first()).toBeVisible();
  await shot(page, 'home-with-slos');
  await expectAccessible(page, 'home-with-slos');
});
