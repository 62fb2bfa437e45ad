import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import { expectAccessible } from './accessibility';

/*
 * The first walk of a new user: sign in as a person of the demo
 * organisation, browse the catalog, open a component and read its docs.
 * Screenshots land in e2e-test-report/screenshots/.
 */

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `e2e-test-report/screenshots/${name}.png` });

async function signInAs(page: Page, displayName: string) {
  await page.goto('/');
  await expect(
    page.getByRole('heading', { name: 'Who do you want to be?' }),
  ).toBeVisible();
  await page.getByRole('button', { name: `Sign in as ${displayName}` }).click();
}

test('a developer signs in, browses the catalog, opens a component and its docs', async ({
  page,
}) => {
  await signInAs(page, 'Ben Okafor');

  // The home page: what matters to Ben.
  await expect(page.getByText('Your teams’ services')).toBeVisible();
  // The security widget may link cart-service too (to its Security tab), once
  // the demo reports are in: the services widget links the entity page.
  await expect(
    page.locator('a[href="/catalog/default/component/cart-service"]'),
  ).toBeVisible();
  await expect(page.getByText(/\d+ critical/).first()).toBeVisible();
  await expect(page.getByText(/in 30 days/).first()).toBeVisible();
  await shot(page, 'home');
  await expectAccessible(page, 'home');

  // The catalog opens on what Ben's team owns.
  await page.getByRole('link', { name: 'Catalog' }).first().click();
  await expect(
    page.getByRole('heading', { name: 'Acme Commerce Catalog' }),
  ).toBeVisible();
  await expect(page.getByText(/Owned Components \(\d+\)/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'cart-service' })).toBeVisible();
  await shot(page, 'catalog');

  // Everything in the organisation.
  await page.getByText('All', { exact: true }).click();
  await expect(page.getByText(/All Components \((\d{2,})\)/)).toBeVisible();
  await page.getByPlaceholder('Search').fill('search');
  await expect(
    page.getByRole('link', { name: 'search-service' }),
  ).toBeVisible();
  await page.getByPlaceholder('Search').fill('payments');

  // A component page with its owner and system.
  await page.getByRole('link', { name: 'payments-api' }).first().click();
  await expect(
    page.getByRole('heading', { name: 'payments-api' }),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: 'team-checkout' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'About' })).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Provided APIs' }),
  ).toBeVisible();
  await shot(page, 'entity');

  // Its TechDocs, built with the local MkDocs.
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'TechDocs' })
    .click();
  await expect(
    page.getByText('is the payment orchestration service of Acme Commerce'),
  ).toBeVisible({ timeout: 60_000 });
  // The first visit builds the site; the reader then swaps in the fresh one.
  await page.waitForLoadState('networkidle');
  await expect(
    page.getByText('is the payment orchestration service of Acme Commerce'),
  ).toBeVisible({ timeout: 60_000 });
  await shot(page, 'entity-docs');

  // Its security findings, loaded from a real Trivy report at start.
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Security' })
    .click();
  await expect(page.getByText(/\d+ open findings/)).toBeVisible();
  await expect(page.getByText('CVE-2019-1551').first()).toBeVisible();
  await shot(page, 'entity-security');
  await expectAccessible(page, 'entity-security');
});

test('a manager sees the group’s posture and security sees every team', async ({
  page,
}) => {
  await signInAs(page, 'Maya Patel');
  await page.goto('/catalog/default/group/engineering/security');
  await expect(page.getByText('Security posture')).toBeVisible();
  await expect(page.getByText('Open findings over time')).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Posture by entity' }),
  ).toBeVisible();
  await shot(page, 'group-security');
  await expectAccessible(page, 'group-security');

  // The organisation page is for the security team only.
  await page.goto('/security');
  await expect(
    page.getByText('This page is for the security team'),
  ).toBeVisible();

  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Jonas Berg');
  await page.goto('/security');
  await expect(page.getByText('Teams, worst first')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Checkout Team' })).toBeVisible();
  await page.getByLabel('Advisory, rule id or package').fill('CVE-2019-1551');
  await page.getByLabel('Advisory, rule id or package').press('Enter');
  await expect(
    page
      .getByRole('table', { name: 'Exposed entities' })
      .getByText('payments-api'),
  ).toBeVisible();
  await shot(page, 'organisation-security');
  await expectAccessible(page, 'organisation-security');
});

test('the security team previews a gate policy change across the organisation, then saves it with why', async ({
  page,
}) => {
  await signInAs(page, 'Jonas Berg');
  await page.goto('/security');
  const card = page.getByRole('region', { name: 'Gate policy default' });
  await expect(card).toBeVisible();
  await expect(
    page.getByText(/From the configuration \(secops.gates\)/),
  ).toBeVisible();

  // Every open high counts, whatever its age: what would that do?
  const age = card.getByLabel('Only older than (days)').nth(1);
  await age.fill('');
  await page.getByRole('button', { name: 'Preview the change' }).click();
  await expect(
    page.getByText(
      /^Of \d+ entities, \d+ fails? (its|their) gate now and \d+ would/,
    ),
  ).toBeVisible();
  await expect(page.getByText(/^Would newly fail \(\d+\)/)).toBeVisible();
  await shot(page, 'gate-policy-preview');
  await expectAccessible(page, 'gate-policy-preview');

  // A milder change is saved, after its own preview, with the reason.
  await age.fill('31');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Preview the change' }).click();
  await page
    .getByLabel(/Why \(kept with the version\)/)
    .fill('Highs get a month and a day, as agreed with the teams');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(
    page.getByText(/^Saved as version 1: the gate applies it now\./),
  ).toBeVisible();
  await expect(
    page.getByText(/^Version 1, .* by user:default\/jonas-berg/),
  ).toBeVisible();
  await shot(page, 'gate-policy-saved');
  await expectAccessible(page, 'gate-policy-saved');
});

test('a team lead assigns findings to a teammate, who is notified', async ({
  page,
}) => {
  await signInAs(page, 'Ben Okafor');
  await page.goto('/catalog/default/component/payments-api/security');
  const findings = page.getByRole('table', { name: 'Findings' });
  await expect(findings.getByText('CVE-2019-1551').first()).toBeVisible();

  // The two worst findings of the page, to Alice.
  const boxes = findings.getByRole('checkbox', { name: /^Select (?!every)/ });
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.getByText('2 selected')).toBeVisible();
  await page.getByLabel('Assign to').click();
  await page.getByRole('option', { name: 'Alice Nguyen' }).click();
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(
    page.getByText('2 findings assigned to Alice Nguyen, who is notified.'),
  ).toBeVisible();
  await expect(findings.getByText('Alice Nguyen')).toHaveCount(2);
  await shot(page, 'findings-assigned');
  await expectAccessible(page, 'findings-assigned');

  // Alice hears of it, and finds them with the assignee filter.
  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Alice Nguyen');
  await page.goto('/notifications');
  await expect(page.getByText('2 findings assigned to you')).toBeVisible();
  await shot(page, 'findings-assigned-notification');
  await page.goto('/catalog/default/component/payments-api/security');
  await page.getByLabel('Assignee').click();
  await page.getByRole('option', { name: 'Assigned to me' }).click();
  await expect(page.getByText(/^2 findings · page 1$/)).toBeVisible();
});

test('a team lead opens a GitHub issue for the worst advisory and sees it on the finding', async ({
  page,
}) => {
  // The portal's GitHub integration points at GitHub's issues API answering
  // recorded responses (scripts/fake-github.ts, started by ./portal test).
  await signInAs(page, 'Ben Okafor');
  await page.goto('/catalog/default/component/payments-api/security');
  const findings = page.getByRole('table', { name: 'Findings' });
  await expect(findings.getByText('CVE-2019-1551').first()).toBeVisible();
  const boxes = findings.getByRole('checkbox', { name: /^Select (?!every)/ });
  await boxes.nth(0).check();
  await page.getByRole('button', { name: 'Open GitHub issue' }).click();
  // Opened now, or (when the test runs again) linked to the open one.
  await expect(
    page.getByText(
      /^(Opened 1 GitHub issue in acme-commerce\/payments-api \(#\d+\)|Linked to the open issue #\d+)\.$/,
    ),
  ).toBeVisible();
  await expect(
    findings.getByRole('link', { name: /GitHub issue #\d+/ }).first(),
  ).toBeVisible();
  await expect(findings.getByText(/· open/).first()).toBeVisible();
  await shot(page, 'finding-github-issue');
  await expectAccessible(page, 'finding-github-issue');
});

test('a team lets a workload off the golden path with a reason and an end; security approves it', async ({
  page,
}) => {
  await signInAs(page, 'Ben Okafor');
  await page.goto('/off-path');
  await expect(
    page.getByRole('heading', { name: 'Off the golden path' }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Ask for an exception' }).click();
  await page
    .getByLabel('Catalog entity')
    .fill('component:default/payments-api');
  await page.getByLabel('Kubernetes namespace').fill('ml-lab');
  await page.getByLabel('Workload name').fill('gpu-notebook');
  await page
    .getByLabel('Why must it leave the golden path?')
    .fill('The GPU driver needs a privileged init container the path lacks');
  await page.getByRole('button', { name: 'Ask security' }).click();
  const register = page.getByRole('table', { name: 'Off-path exceptions' });
  await expect(register.getByText('Waiting for security')).toBeVisible();
  await expect(register.getByText('namespace ml-lab')).toBeVisible();

  // Someone of the security team decides.
  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Jonas Berg');
  await page.goto('/off-path');
  await page
    .getByRole('button', { name: 'Approve ml-lab/gpu-notebook' })
    .click();
  await expect(register.getByText('Active')).toBeVisible();
  await expect(register.getByText('approved by jonas-berg')).toBeVisible();
  await shot(page, 'off-path-exceptions');
  await expectAccessible(page, 'off-path-exceptions');
});

test('cost: a developer sees their service, a manager the department, finance everything', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'Ben Okafor');
  await page.goto('/catalog/default/component/payments-api/cost');
  // The demo year is imported shortly after start: reload until it is in.
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByRole('img', {
        name: 'Daily spend of component:default/payments-api',
      }),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByText(/Demo data/)).toBeVisible();
  await expect(page.getByText('By cloud service')).toBeVisible();
  await shot(page, 'entity-cost');
  await expectAccessible(page, 'entity-cost');

  // Not the department's roll-up: that is for its members and finance.
  await page.goto('/catalog/default/group/engineering/cost');
  await expect(
    page.getByText(/A group's cost is shown to its members/),
  ).toBeVisible();

  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Maya Patel');
  await page.goto('/catalog/default/group/engineering/cost');
  await expect(page.getByText('By team')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Checkout Team' })).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Components, resources and systems' }),
  ).toBeVisible();
  await expect(
    page.getByRole('cell', { name: /\$[\d,]+/ }).first(),
  ).toBeVisible();
  await shot(page, 'group-cost');
  await expectAccessible(page, 'group-cost');

  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Oscar Fernandez');
  await page.goto('/finops');
  await expect(
    page.getByRole('img', { name: 'Monthly cost by department' }),
  ).toBeVisible();
  await expect(page.getByText('Engineering', { exact: true })).toBeVisible();
  await expect(
    page.getByText(/Unattributed spend: \$[\d,]+ in the last 30 days/),
  ).toBeVisible();
  await shot(page, 'finops-page');
  await expectAccessible(page, 'finops-page');
});

test('a business user finds dashboards and a product’s unit cost', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'Quentin Dubois');
  await page.goto('/bi');
  await expect(
    page.getByRole('link', { name: /Checkout completion and drop-off/ }),
  ).toBeVisible();
  await page.getByLabel('Search dashboards').fill('looker');
  await expect(page.getByRole('link', { name: /Company KPIs/ })).toBeVisible();
  await expect(
    page.getByRole('link', { name: /Checkout completion and drop-off/ }),
  ).toHaveCount(0);
  await shot(page, 'bi-hub');
  await expectAccessible(page, 'bi-hub');

  // The demo year of spend is imported shortly after start.
  await page.goto('/catalog/default/system/checkout/economics');
  await expect(async () => {
    await page.reload();
    await expect(page.getByText('Cost per order').first()).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 120_000 });
  await expect(
    page.getByRole('img', { name: 'Monthly cloud cost and cost per order' }),
  ).toBeVisible();
  await shot(page, 'product-economics');
  await expectAccessible(page, 'product-economics');
});

test('the portal’s own docs render in TechDocs', async ({ page }) => {
  await signInAs(page, 'Grace Liu');
  await page.goto('/docs/default/component/acme-developer-portal');
  await expect(
    page.getByRole('heading', { name: 'Acme Developer Portal' }).first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    page.getByText('One place for everyone who builds'),
  ).toBeVisible();
  await shot(page, 'portal-docs');
});

test('signing out brings back the choice of who to be', async ({ page }) => {
  await signInAs(page, 'Jonas Berg');
  await page.goto('/settings');
  await expect(page.getByText('Jonas Berg').first()).toBeVisible();
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await expect(
    page.getByRole('heading', { name: 'Who do you want to be?' }),
  ).toBeVisible();
});

test('the security team sees pen-test results with their retest, and an internet-facing service without a DAST scan', async ({
  page,
}) => {
  await signInAs(page, 'Jonas Berg');
  // auth-gateway is internet-facing (its annotation) and never had a DAST scan.
  await page.goto('/catalog/default/component/auth-gateway/security');
  await expect(
    page.getByText(/Internet-facing without a DAST scan in the last 30 days/),
  ).toBeVisible();
  await expect(
    page.getByText(/annotation portal.io\/internet-facing/),
  ).toBeVisible();
  await shot(page, 'dast-exposure');
  await expectAccessible(page, 'dast-exposure');

  // checkout-service has a pen-test firm's results (DefectDojo generic JSON).
  await page.goto('/catalog/default/component/checkout-service/security');
  await expect(
    page.getByText('test title with endpoints as strings'),
  ).toBeVisible();
  await expect(
    page.getByText(/Pen test .*not retested yet/).first(),
  ).toBeVisible();
  await shot(page, 'pentest-findings');
  await expectAccessible(page, 'pentest-findings');

  // Its team's tab counts the internet-facing services without DAST.
  await page.goto('/catalog/default/group/team-platform/security');
  await expect(page.getByText('internet-facing without DAST')).toBeVisible();
});

test('the security team evaluates the scorecards; a team lead sees the leaderboard, their team on it, and a service’s scorecard', async ({
  page,
}) => {
  await signInAs(page, 'Jonas Berg');
  await page.goto('/scorecards');
  await expect(page.getByText('The standards')).toBeVisible();
  await page.getByRole('button', { name: 'Evaluate now' }).click();
  await expect(
    page.getByText(/^Evaluated \d+ checks over \d+ components in [\d.]+ s\.$/),
  ).toBeVisible();
  const board = page.getByRole('table', { name: 'Leaderboard of teams' });
  await expect(board.getByRole('link').first()).toBeVisible();

  // A campaign: every production service at silver; its owners are told.
  await page.getByRole('button', { name: 'Start a campaign' }).click();
  await page.getByLabel('Campaign').fill('Production at silver this quarter');
  await page.getByRole('button', { name: 'Start campaign' }).click();
  await expect(
    page.getByText(
      /^Started "Production at silver this quarter": \d+ of \d+ services are there/,
    ),
  ).toBeVisible();
  await expect(
    page
      .getByRole('progressbar', {
        name: /^Production at silver this quarter: \d+ of \d+ services there$/,
      })
      .first(),
  ).toBeVisible();
  await shot(page, 'scorecards-campaign');
  await expectAccessible(page, 'scorecards-campaign');

  // The CISO's SOC 2 control view, and the evidence export for auditors.
  await page.goto('/compliance');
  const controls = page.getByRole('table', { name: 'Controls' });
  await expect(controls.getByText('CC6.1')).toBeVisible();
  await expect(
    controls.getByText(/^\d+(\.\d)?% \(\d+ of \d+\)$/).first(),
  ).toBeVisible();
  await shot(page, 'compliance-soc2');
  await expectAccessible(page, 'compliance-soc2');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download evidence' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(
    /^soc2-evidence-\d{4}-\d{2}-\d{2}\.tar\.gz$/,
  );
  const archive = fs.readFileSync((await download.path())!);
  expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  await expect(page.getByText(/^Downloaded soc2-evidence-/)).toBeVisible();

  await page.goto('/settings');
  await page.getByRole('button', { name: 'more' }).first().click();
  await page.getByRole('menuitem', { name: 'Sign Out' }).click();
  await signInAs(page, 'Ben Okafor');
  await page.goto('/scorecards');
  await expect(board.getByText('your team').first()).toBeVisible();
  await shot(page, 'scorecards-leaderboard');
  await expectAccessible(page, 'scorecards-leaderboard');

  await page.goto('/catalog/default/component/payments-api/security');
  await expect(page.getByText(/\d+ of \d+ checks pass \(score/)).toBeVisible();
  await expect(page.getByText('Release gate passing')).toBeVisible();
  // Checks over FinOps' and SRE's data, which their own modules add.
  await expect(page.getByText('Cloud spend attributed')).toBeVisible();
  await expect(
    page.getByText(/USD [\d.]+ attributed by the portal-entity-ref tag/),
  ).toBeVisible();
  await expect(page.getByText('SLOs defined and within budget')).toBeVisible();
  await shot(page, 'entity-scorecard');
  await expectAccessible(page, 'entity-scorecard');
});
