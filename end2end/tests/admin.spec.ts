import { readFileSync } from 'node:fs';
import { test, expect, Page } from '@playwright/test';
import { PASSWORD, signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();

// Only the WASM fills the clock, so a ticking clock means the forms' handlers are live.
const hydrated = async (page: Page) =>
  expect(page.getByTestId('local-clock')).toHaveText(/^\d{2}:\d{2}:\d{2}$/);

// A queue of this spec's own, so the admin can give a new supervisor exactly one queue.
const QUEUE = 'adm-queue';
const SUPERVISOR = 'sup.admin-e2e';
const TOKEN_NAME = 'e2e-wallboard';

test.describe.serial('Administration', () => {
  test.beforeAll(async ({ request }) => {
    const r = await request.post('/api/v1/events', {
      headers: { Authorization: `Bearer ${token()}` },
      data: [
        {
          id: 'adm-q1',
          type: 'queue.upserted',
          at: new Date(Date.now() - 60_000).toISOString(),
          queue_id: QUEUE,
          name: 'Admin spec queue',
          channels: ['chat'],
        },
      ],
    });
    expect(r.status()).toBe(200);
  });

  test('an admin adds a supervisor with one queue, who then signs in as themselves', async ({ page }) => {
    await signIn(page, USERS.admin, '/admin/users');
    await expect(page).toHaveURL(/\/admin\/users$/);
    await hydrated(page);

    const form = page.getByTestId('user-add-form');
    await form.getByTestId('user-add-login').fill(SUPERVISOR);
    await form.getByTestId('user-add-role').selectOption('supervisor');
    await form.getByTestId(`user-add-queue-${QUEUE}`).check();
    await form.getByTestId('user-add-password').fill(PASSWORD);
    await form.getByTestId('user-add-submit').click();
    await expect(form.getByTestId('form-ok')).toBeVisible();
    const row = page.getByTestId(`user-${SUPERVISOR}`);
    await expect(row).toContainText('Supervisor');
    await expect(row).toContainText(QUEUE);
    await page.screenshot({ path: 'test-results/admin-users.png' });

    // A bad login is refused with a message naming the field, next to the form.
    await form.getByTestId('user-add-login').fill('no spaces allowed');
    await form.getByTestId('user-add-password').fill(PASSWORD);
    await form.getByTestId('user-add-submit').click();
    await expect(form.getByTestId('form-error')).toContainText('Login: use 1 to 64 letters');

    // In Polish, the same refusal names the field and the problem in Polish.
    await page.getByTestId('language').selectOption('pl');
    await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
    await hydrated(page);
    const formPl = page.getByTestId('user-add-form');
    await formPl.getByTestId('user-add-login').fill('no spaces allowed');
    await formPl.getByTestId('user-add-password').fill(PASSWORD);
    await formPl.getByTestId('user-add-submit').click();
    await expect(formPl.getByTestId('form-error')).toContainText('Login: użyj od 1 do 64 liter');
    await page.getByTestId('language').selectOption('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');

    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('signin-message')).toBeVisible();
    await signIn(page, SUPERVISOR, '/insights');
    await expect(page).toHaveURL(/\/insights$/);
    await expect(page.getByTestId('user-name')).toHaveText(SUPERVISOR);
    // Not an administrator: no Admin tab, and the admin pages say so.
    await page.goto('/admin/users');
    await expect(page.getByTestId('access-denied')).toBeVisible();
  });

  test('an admin creates a token, sees it once, and revokes it', async ({ page, request }) => {
    await signIn(page, USERS.admin, '/admin/tokens');
    await expect(page).toHaveURL(/\/admin\/tokens$/);
    await hydrated(page);

    await page.getByTestId('token-name').fill(TOKEN_NAME);
    await page.getByTestId('token-scope-ingest').uncheck();
    await page.getByTestId('token-create').click();
    const shown = page.getByTestId('new-token');
    await expect(shown).toHaveText(/^itk_[0-9a-f]{64}$/);
    const secret = (await shown.textContent())?.trim() ?? '';
    const kpis = () =>
      request.get('/api/v1/kpis', { headers: { Authorization: `Bearer ${secret}` } });
    expect((await kpis()).status()).toBe(200);

    const status = page.getByTestId(`token-status-${TOKEN_NAME}`);
    await expect(status).toHaveText('Active');
    await expect(page.getByTestId(`token-${TOKEN_NAME}`)).toContainText('read');

    // Revoking asks first, naming the token.
    await page.getByTestId(`token-revoke-${TOKEN_NAME}`).click();
    await expect(page.getByRole('alertdialog')).toContainText(TOKEN_NAME);
    await page.getByTestId(`token-revoke-${TOKEN_NAME}-confirm`).click();
    await expect(status).toContainText('Revoked');
    expect((await kpis()).status()).toBe(401);

    // The audit log shows both changes, newest first.
    await page.goto('/admin/audit');
    const audit = page.getByTestId('audit-table');
    await expect(audit.locator('tbody tr').first()).toContainText('token.revoke');
    await expect(audit).toContainText('token.create');
  });
});
