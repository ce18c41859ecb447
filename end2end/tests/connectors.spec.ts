import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, expect, Page } from '@playwright/test';
import { signIn, USERS } from './signin';

// Only the WASM fills the clock, so a ticking clock means the forms' handlers are live.
const hydrated = async (page: Page) =>
  expect(page.getByTestId('local-clock')).toHaveText(/^\d{2}:\d{2}:\d{2}$/);

const SECRET = 'e2e-chatwoot-webhook-secret';
const fixture = (name: string) =>
  JSON.parse(readFileSync(`../server/tests/fixtures/chatwoot/${name}.json`, 'utf8'));

// As Chatwoot signs: sha256= and the hex HMAC-SHA256 of "{timestamp}.{body}".
const signed = (body: string) => {
  const ts = Math.floor(Date.now() / 1000).toString();
  const signature = 'sha256=' + createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
  return {
    'Content-Type': 'application/json',
    'X-Chatwoot-Timestamp': ts,
    'X-Chatwoot-Signature': signature,
    'X-Chatwoot-Delivery': crypto.randomUUID(),
  };
};

test('an admin adds a Chatwoot connector, and its conversations appear live with every delivery accounted for', async ({
  page,
  request,
}) => {
  await signIn(page, USERS.admin, '/admin/connectors');
  await hydrated(page);
  const form = page.getByTestId('connector-add-form');

  // A secret too short is refused next to the form, naming the field; nothing is added.
  await form.getByTestId('connector-name').fill('E2E Chatwoot');
  await form.getByTestId('connector-secret').evaluate((e: HTMLInputElement) => e.removeAttribute('minlength'));
  await form.getByTestId('connector-secret').fill('short');
  await form.getByTestId('connector-add').click();
  await expect(page.getByTestId('form-error')).toContainText('Secret: give a secret of 16 to 256 characters');
  await expect(page.getByTestId('connectors-none')).toBeVisible();

  await form.getByTestId('connector-secret').fill(SECRET);
  await form.getByTestId('connector-add').click();
  const url = page.getByTestId('new-connector-url');
  await expect(url).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/connectors\/chatwoot\/[a-z0-9]{24}$/);
  const webhook = (await url.textContent())!.trim();
  const card = page.getByTestId('connector-E2E Chatwoot');
  await expect(card.getByTestId('connector-url')).toHaveText(webhook);
  await expect(card.getByTestId('connector-no-deliveries')).toBeVisible();

  // Chatwoot delivers a new conversation, signed, a minute old; it was just assigned to Ana.
  const now = Math.floor(Date.now() / 1000);
  const conversation = fixture('conversation_updated_assignee');
  conversation.event = 'conversation_created';
  conversation.id = 9042;
  conversation.created_at = now - 60;
  conversation.updated_at = now - 30.5;
  let body = JSON.stringify(conversation);
  let r = await request.post(webhook, { headers: signed(body), data: body });
  expect(r.status()).toBe(200);
  expect(await r.json()).toMatchObject({ outcome: 'mapped', accepted: 5 });

  // A wrong signature is refused and changes nothing.
  r = await request.post(webhook, { headers: { ...signed(body), 'X-Chatwoot-Signature': 'sha256=' + '0'.repeat(64) }, data: body });
  expect(r.status()).toBe(401);

  // A status Intraday cannot place is kept aside for the admin, not lost.
  const odd = { ...conversation, event: 'conversation_status_changed', status: 'archived', updated_at: now - 10.5 };
  body = JSON.stringify(odd);
  r = await request.post(webhook, { headers: signed(body), data: body });
  expect(await r.json()).toMatchObject({ outcome: 'dead_letter' });

  // The test delivery goes through the connector's checks and shows up with the rest.
  await card.getByTestId('connector-test').click();
  await expect(card.getByTestId('connector-said')).toHaveText('ignored');
  await expect(card.getByTestId('count-conversation_created-mapped')).toContainText('1');
  await expect(card.getByTestId('count-(none)-refused')).toContainText('1');
  await expect(card.getByTestId('count-intraday_test_delivery-ignored')).toContainText('1');
  const kept = card.getByTestId('dead-letters').locator('tr[data-testid^="dead-letter-"]');
  await expect(kept).toHaveCount(1);
  await expect(kept.getByTestId('dead-letter-reason')).toContainText('unknown status "archived"');
  await page.screenshot({ path: 'test-results/admin-connectors.png', fullPage: true });

  // Discarded after a confirmation.
  const discard = kept.locator('button[data-testid^="dead-letter-discard-"]').first();
  const id = await discard.getAttribute('data-testid');
  await discard.click();
  await page.getByTestId(`${id}-confirm`).click();
  await expect(card.getByTestId('dead-letters-none')).toBeVisible();

  // The conversation is on the Ongoing grid, with Ana Costa, in the inbox's queue (cw…-inbox-3).
  await page.goto('/ongoing');
  await hydrated(page);
  const row = page.locator('[data-testid="row"]').filter({ hasText: 'Maria Silva' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Ana Costa');
  await expect(row).toContainText(/cw[0-9a-f]{8}-inbox-3/);

  // Removed: the URL no longer takes deliveries.
  await page.goto('/admin/connectors');
  await hydrated(page);
  await page.getByTestId('connector-E2E Chatwoot').getByTestId('connector-remove').click();
  await page.getByTestId('connector-remove-confirm').click();
  await expect(page.getByTestId('connectors-none')).toBeVisible();
  body = JSON.stringify(conversation);
  r = await request.post(webhook, { headers: signed(body), data: body });
  expect(r.status()).toBe(404);
});
