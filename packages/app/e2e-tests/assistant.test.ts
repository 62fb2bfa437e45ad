import { test, expect, Browser, Page } from '@playwright/test';
import { expectAccessible } from './accessibility';

/*
 * The Ask page against the portal's assistant, with the scripted model of
 * scripts/scripted-model.ts as its model (the e2e step of `./portal test`
 * starts it and points assistant.openai at it). The model calls the tool
 * that fits the question with the entity it names and answers from what
 * the tool returned, with the person's own permissions: a developer gets
 * their service's findings with links to it, someone of another team is
 * refused them; product economics are for business people, not developers.
 * Screenshots land in e2e-test-report/screenshots/.
 */

// Transitions (the folding of How I found this) are finished first.
const shot = (page: Page, name: string) =>
  page.screenshot({
    path: `e2e-test-report/screenshots/${name}.png`,
    fullPage: true,
    animations: 'disabled',
  });

/** A browser of its own for a person, signed in. */
async function signedIn(browser: Browser, displayName: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await expect(
    page.getByRole('heading', { name: 'Who do you want to be?' }),
  ).toBeVisible();
  await page.getByRole('button', { name: `Sign in as ${displayName}` }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
  return page;
}

/** Asks in the conversation shown (or a new one); gives the answer. */
async function ask(page: Page, question: string) {
  const answers = page.getByRole('article', { name: 'Answer' });
  const before = await answers.count();
  const input = page.getByLabel('Your question');
  await input.fill(question);
  await input.press('Enter');
  await expect(answers).toHaveCount(before + 1);
  // The answer is stored; the input is back for the next question.
  await expect(
    page.getByRole('article', { name: 'Answer in progress' }),
  ).toHaveCount(0);
  await expect(input).toBeEnabled();
  return answers.last();
}

/** The Ask page with nothing selected: example questions to start with. */
const EMPTY = /No conversations yet: ask your first question|Ask something new/;

const QUESTION = 'What are the open security findings of payments-api?';

test('a developer asks about their service and gets a cited answer; another team’s developer is refused', async ({
  browser,
}) => {
  const ben = await signedIn(browser, 'Ben Okafor');

  // The demo's Trivy report of payments-api is loaded at start.
  await expect(async () => {
    await ben.goto('/catalog/default/component/payments-api/security');
    await expect(ben.getByText(/\d+ open findings/)).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 120_000 });

  // The Ask page from the sidebar: a model is configured, nothing asked yet.
  await ben.getByRole('link', { name: 'Ask', exact: true }).first().click();
  await expect(
    ben.getByRole('heading', { name: 'Ask', level: 1 }),
  ).toBeVisible();
  await expect(ben.getByText(EMPTY)).toBeVisible();
  await expect(ben.getByText(/Answers come from scripted/)).toBeVisible();
  await shot(ben, 'ask-empty');
  await expectAccessible(ben, 'ask-empty');

  const answer = await ask(ben, QUESTION);
  await expect(answer).toContainText(
    /component:default\/payments-api has \d+ open findings, the worst:/,
  );
  const citation = answer
    .getByRole('listitem')
    .getByRole('link', { name: 'component:default/payments-api' });
  await expect(citation).toHaveAttribute(
    'href',
    '/catalog/default/component/payments-api',
  );
  await answer.getByRole('button', { name: /How I found this/ }).click();
  await expect(
    answer
      .getByRole('list', { name: 'Tool calls' })
      .getByText('secops.get-findings'),
  ).toBeVisible();
  // The conversation is listed under the question's title, selected.
  await expect(
    ben
      .getByRole('navigation', { name: 'Conversations' })
      .locator('[aria-current="true"]'),
  ).toContainText(QUESTION);
  await shot(ben, 'ask-answer');
  await expectAccessible(ben, 'ask-answer');

  // The citation leads to the service's page.
  await citation.click();
  await expect(
    ben.getByRole('heading', { name: 'payments-api' }),
  ).toBeVisible();

  // Daniel, of team-catalog, asks the same: the tool refuses him, and the
  // answer says so, citing nothing.
  const daniel = await signedIn(browser, 'Daniel Kim');
  await daniel.goto('/ask');
  await expect(daniel.getByText(EMPTY)).toBeVisible();
  const refused = await ask(daniel, QUESTION);
  await expect(refused).toContainText(
    'You may not see that: secops.get-findings refused it',
  );
  await expect(refused.getByRole('heading', { name: 'Sources' })).toHaveCount(
    0,
  );
  await expect(refused).not.toContainText(/open findings, the worst/);
  await refused.getByRole('button', { name: /How I found this/ }).click();
  await expect(
    refused.getByText(/^Failed: .*component:default\/payments-api/),
  ).toBeVisible();
  await shot(daniel, 'ask-refused');
  await expectAccessible(daniel, 'ask-refused');
  await daniel.context().close();
  await ben.context().close();
});

test('a developer has the assistant propose an exemption request, which is sent only when they confirm it', async ({
  browser,
}) => {
  const ben = await signedIn(browser, 'Ben Okafor');
  await ben.goto('/ask');
  await expect(ben.getByText(EMPTY)).toBeVisible();
  const answer = await ask(
    ben,
    'Request an exemption for a finding of payments-api',
  );
  await expect(answer).toContainText(/Nothing is sent until you confirm it/);
  const proposal = answer.getByRole('region', {
    name: 'Proposed: Request an exemption for a finding',
  });
  await expect(proposal).toContainText('secops.request-exemption');
  await expect(proposal).toContainText('justification');
  await shot(ben, 'ask-proposal');
  await expectAccessible(ben, 'ask-proposal');

  await proposal.getByRole('button', { name: 'Confirm' }).click();
  await expect(proposal).toContainText(/Done\. It answered:.*statuspending/);
  await expect(proposal.getByRole('button', { name: 'Confirm' })).toHaveCount(
    0,
  );
  await shot(ben, 'ask-proposal-done');
  await expectAccessible(ben, 'ask-proposal-done');
  await ben.context().close();
});

test('product economics: a business user gets them with a link to the product, a developer is refused; a conversation is deleted', async ({
  browser,
}) => {
  const question = 'What are the economics of the checkout system?';

  const quentin = await signedIn(browser, 'Quentin Dubois');
  await quentin.goto('/ask');
  await expect(quentin.getByText(EMPTY)).toBeVisible();
  const answer = await ask(quentin, question);
  await expect(answer).toContainText(/system:default\/checkout cost [\d,.]+ /);
  await expect(
    answer
      .getByRole('listitem')
      .getByRole('link', { name: 'system:default/checkout' }),
  ).toHaveAttribute('href', '/catalog/default/system/checkout');
  await shot(quentin, 'ask-economics');
  await expectAccessible(quentin, 'ask-economics');

  const ben = await signedIn(browser, 'Ben Okafor');
  await ben.goto('/ask');
  await expect(ben.getByText(EMPTY)).toBeVisible();
  const refused = await ask(ben, question);
  await expect(refused).toContainText(
    'You may not see that: bi.get-product-economics refused it, saying “Product economics are for business',
  );
  await expect(refused.getByRole('heading', { name: 'Sources' })).toHaveCount(
    0,
  );

  // Deleting asks first, then the conversation is gone, also after a reload.
  const conversations = ben.getByRole('navigation', { name: 'Conversations' });
  const deleteButtons = conversations.getByRole('button', {
    name: `Delete “${question}”`,
  });
  const listed = await deleteButtons.count();
  await deleteButtons.first().click();
  const dialog = ben.getByRole('dialog');
  await expect(dialog).toContainText('Delete this conversation?');
  await expectAccessible(ben, 'ask-delete-dialog');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(deleteButtons).toHaveCount(listed - 1);
  await ben.reload();
  await expect(ben.getByText(EMPTY)).toBeVisible();
  // The list is in (Ben's findings question of the other test may be in it).
  await expect(
    conversations
      .getByText(/None yet/)
      .or(conversations.getByRole('listitem').first()),
  ).toBeVisible();
  await expect(deleteButtons).toHaveCount(listed - 1);
  await quentin.context().close();
  await ben.context().close();
});
