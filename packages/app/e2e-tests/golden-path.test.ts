import { test, expect, Page } from '@playwright/test';
import { expectAccessible } from './accessibility';

/*
 * The golden paths on the embedded default, as a new user meets them: run a
 * template from the portal, watch it finish, find the result in the catalog.
 * New services go to local git repositories under the data folder; changes
 * to existing ones are branches there (no GitHub needed).
 */

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `e2e-test-report/screenshots/${name}.png` });

async function signInAs(page: Page, displayName: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${displayName}` }).click();
  await expect(page.getByText('Your teams’ services')).toBeVisible();
}

async function chooseTemplate(page: Page, title: string, name: string) {
  await page.goto('/create');
  await expect(page.getByText(title, { exact: true })).toBeVisible();
  await page.goto(`/create/templates/default/${name}`);
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
}

/** Picks an option of an autocomplete field (OwnerPicker, EntityPicker). */
async function pick(page: Page, label: string, search: string, option: string) {
  const input = page.locator('input').and(page.getByLabel(label)).first();
  await input.click();
  await input.fill(search);
  await page
    .getByRole('option', { name: option })
    .first()
    .click({ timeout: 30_000 });
}

/** Runs the task: Review, Create, and waits until every step is done. */
async function create(page: Page) {
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('button', { name: 'Start Over' })).toBeVisible({
    timeout: 150_000,
  });
}

test('a developer creates a new service and finds it in the catalog', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAs(page, 'Ben Okafor');
  await chooseTemplate(page, 'New service', 'new-service');
  const name = `parcel-tracker-${Date.now().toString(36)}`;
  await page.getByLabel('Name').first().fill(name);
  await page
    .getByLabel('Description')
    .first()
    .fill('Tracks parcels to the door.');
  await pick(page, 'Owner', 'Checkout', 'Checkout Team');
  await shot(page, 'golden-path-new-service-form');
  await page.getByRole('button', { name: 'Next' }).click();
  await create(page);
  await expect(page.getByText(/is in the catalog, owned by/)).toBeVisible();
  await expect(
    page.getByText(/The code is in the local repository/),
  ).toBeVisible();
  await shot(page, 'golden-path-new-service-done');

  await page.getByRole('link', { name: 'Open in the catalog' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(
    page.getByText('Tracks parcels to the door.').first(),
  ).toBeVisible();
  await shot(page, 'golden-path-new-service-in-catalog');
});

test('a developer adds a database to a service, seeing its monthly cost in the form', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'Ben Okafor');
  await chooseTemplate(page, 'Add a resource', 'add-resource');
  await pick(page, 'Component', 'wishlist', 'wishlist-service');
  await page.getByRole('button', { name: 'Next' }).click();
  const resource = `saved-${Date.now().toString(36)}`;
  await page.getByLabel('Name').first().fill(resource);
  // The sizes say what they cost, from templates/iac/sizes.yaml.
  await page.getByLabel('Size').first().click();
  await expect(
    page.getByRole('option', {
      name: /Medium: db.t4g.medium.*about \$59.00 a month/,
    }),
  ).toBeVisible();
  await shot(page, 'golden-path-add-resource-sizes');
  await page.getByRole('option', { name: /Medium:/ }).click();
  await create(page);
  await expect(page.getByText(/about \$59.00 a month/).first()).toBeVisible();
  await expect(
    page
      .getByText(`golden-path/add-database-${resource}`, { exact: false })
      .first(),
  ).toBeVisible();
  await shot(page, 'golden-path-add-resource-done');
});

test('a team brings an old repository onto the golden path by pull request', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'Ben Okafor');
  await chooseTemplate(page, 'Adopt the golden path', 'adopt-golden-path');
  await page.getByLabel('Repository').first().fill('legacy-billing');
  await pick(page, 'Owner', 'Checkout', 'Checkout Team');
  await create(page);
  await expect(
    page.getByText(
      /A javascript repository\. Added: .*\.github\/workflows\/ci\.yml/,
    ),
  ).toBeVisible();
  await expect(
    page.getByText('golden-path/adopt', { exact: false }).first(),
  ).toBeVisible();
  await shot(page, 'golden-path-adopt-done');
});

test('a service made from an older golden path is upgraded by pull request', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'Ben Okafor');
  await chooseTemplate(page, 'Upgrade the golden path', 'upgrade-golden-path');
  await pick(page, 'Component', 'wishlist', 'wishlist-service');
  await create(page);
  await expect(
    page.getByText(/wishlist-service moves from 1\.0\.0 to 1\.1\.0/),
  ).toBeVisible();
  await shot(page, 'golden-path-upgrade-done');
});

test('a team lead sees the fleet behind the golden path and upgrades it in bulk', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAs(page, 'Ben Okafor');
  // The home page says which of the team's services are behind.
  await expect(page.getByText('Golden path: behind')).toBeVisible();
  await expect(
    page.getByText(/services? of your teams (is|are) behind the golden path/),
  ).toBeVisible();

  await page.goto('/golden-path');
  await expect(
    page.getByRole('main').getByRole('heading', { name: 'Golden path' }),
  ).toBeVisible();
  const row = page.getByRole('row', { name: /wishlist-service/ });
  await expect(row.getByText(/1\.0\.0, behind 1\.1\.0/)).toBeVisible();
  await expect(
    page.getByRole('img', { name: /services? on new-service 1\.0\.0, behind/ }),
  ).toBeVisible();
  await page
    .getByRole('checkbox', {
      name: 'Choose component:default/wishlist-service',
    })
    .check();
  await shot(page, 'golden-path-fleet');
  await expectAccessible(page, 'golden-path-fleet');

  await page.getByRole('button', { name: /Upgrade 1 chosen/ }).click();
  await expect(
    page.getByRole('heading', {
      name: 'Upgrade the golden path for many services',
    }),
  ).toBeVisible();
  await create(page);
  await expect(
    page.getByText(/pull requests?, \d+ already current/).first(),
  ).toBeVisible();
  await expect(
    page.getByText(/component:default\/wishlist-service/).first(),
  ).toBeVisible();
  await shot(page, 'golden-path-fleet-upgrade-done');
});

test('the platform team sees every repository on the adoption map, the duplicated build, and adopts one', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAs(page, 'Grace Liu');
  await page.goto('/golden-path?tab=adoption');
  await expect(page.getByText('own pipeline')).toBeVisible();
  const table = page.getByRole('table', { name: 'Repositories' });
  await expect(table.getByText('inventory-sync')).toBeVisible();
  await expect(table.getByText('ml-notebooks')).toBeVisible();
  await expect(
    page.getByText(/2 jobs, 100% alike: inventory-sync .*pricing-engine/),
  ).toBeVisible();
  await page.getByRole('checkbox', { name: 'Not in the catalog' }).check();
  await expect(table.getByText('wishlist-service')).toHaveCount(0);
  await shot(page, 'golden-path-adoption');
  await expectAccessible(page, 'golden-path-adoption');

  await page.getByRole('button', { name: 'Adopt inventory-sync' }).click();
  await expect(
    page.getByRole('heading', { name: 'Adopt the golden path' }),
  ).toBeVisible();
  await expect(page.getByLabel('Repository').first()).toHaveValue(
    'inventory-sync',
  );
  await pick(page, 'Owner', 'Checkout', 'Checkout Team');
  await create(page);
  await expect(
    page.getByText('golden-path/adopt', { exact: false }).first(),
  ).toBeVisible();
  await shot(page, 'golden-path-adoption-adopted');
});
