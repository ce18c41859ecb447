import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { PASSWORD, signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();
const auth = () => ({ Authorization: `Bearer ${token()}` });

// Two queues of their own (the Insights spec counts ins-billing exactly), each with waiting
// conversations: sup.billing supervises au-billing, sup.other ins-other.
const at = (s: number) => new Date(Date.now() - 10 * 60_000 + s * 1000).toISOString();
const events = [
  { id: 'au-q1', type: 'queue.upserted', at: at(0), queue_id: 'au-billing', name: 'Billing too', channels: ['chat'] },
  { id: 'au-q2', type: 'queue.upserted', at: at(0), queue_id: 'ins-other', name: 'Other queue', channels: ['chat'] },
  { id: 'au-c1', type: 'conversation.created', at: at(5), conversation_id: 'au-b1', queue_id: 'au-billing', channel: 'chat', customer: { id: 'kb', name: 'Bill Payer' } },
  { id: 'au-c2', type: 'conversation.created', at: at(6), conversation_id: 'au-o1', queue_id: 'ins-other', channel: 'chat', customer: { id: 'ko', name: 'Otto Secret' } },
  { id: 'au-c3', type: 'conversation.created', at: at(7), conversation_id: 'au-o2', queue_id: 'ins-other', channel: 'chat', customer: { id: 'ko2', name: 'Olga Secret' } },
];

test.describe.serial('Sign-in, roles and queue scoping', () => {
  test.beforeAll(async ({ request }) => {
    const r = await request.post('/api/v1/events', { headers: auth(), data: events });
    expect(r.status()).toBe(200);
  });

  test('a person signs in, sees who they are and the monitoring notice, and signs out', async ({ page }) => {
    await page.goto('/insights');
    await expect(page).toHaveURL(/\/signin\?next=\/insights/);
    await page.screenshot({ path: 'test-results/signin.png' });

    await page.getByTestId('signin-login').fill(USERS.billing);
    await page.getByTestId('signin-password').fill('not the password');
    await page.getByTestId('signin-submit').click();
    await expect(page.getByTestId('signin-message')).toContainText('do not match');

    await page.getByTestId('signin-login').fill(USERS.billing);
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-submit').click();
    await expect(page).toHaveURL(/\/insights$/);
    await expect(page.getByTestId('user-name')).toHaveText(USERS.billing);
    await expect(page.getByTestId('monitoring-notice')).toContainText('may be monitored');
    await expect(page.getByTestId('monitoring-notice')).toContainText('not for employment decisions');

    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('signin-message')).toContainText('signed out');
    await page.goto('/insights');
    await expect(page).toHaveURL(/\/signin/);
  });

  test('a supervisor of one queue never sees another queue’s conversations or numbers', async ({ page, request }) => {
    await signIn(page, USERS.other, '/insights');
    const theirs = await (await request.get('/api/v1/kpis?queue=ins-other', { headers: auth() })).json();
    await expect(page.getByTestId('tile-incoming-value')).toHaveText(String(theirs.incoming));
    await expect(page.getByTestId('tile-in_queue-value')).toHaveText(String(theirs.in_queue));
    await expect(page.getByTestId('queue-ins-other')).toBeVisible();
    await expect(page.getByTestId('queue-au-billing')).toHaveCount(0);
    await expect(page.locator('main')).not.toContainText('Bill Payer');

    await page.getByTestId('sign-out').click();
    // The sign-out's own page first: its live feed, told the session ended, would otherwise
    // take the tab to the sign-in page again in the middle of the next sign-in.
    await expect(page.getByTestId('signin-message')).toContainText('signed out');
    await signIn(page, USERS.billing, '/insights');
    await expect(page.getByTestId('queue-au-billing')).toBeVisible();
    await expect(page.getByTestId('queue-ins-other')).toHaveCount(0);
    await expect(page.locator('main')).not.toContainText('Secret');
    // Asking for the other queue by URL shows nothing of it.
    await page.goto('/insights?queue=ins-other');
    await expect(page.getByTestId('tile-incoming-value')).toHaveText('0');
    await expect(page.getByTestId('tile-in_queue-value')).toHaveText('0');
    await expect(page.locator('main')).not.toContainText('Secret');
    // Nor does the read API with their session.
    const scoped = await page.request.get('/api/v1/conversations');
    expect(scoped.status()).toBe(200);
    const rows = (await scoped.json()).conversations as { queue_id: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.queue_id === 'au-billing' || r.queue_id === 'ins-billing')).toBe(true);
  });

  test('an agent cannot open the supervisor tabs', async ({ page }) => {
    await signIn(page, USERS.agent);
    await expect(page.locator('nav.tabs')).not.toContainText('Intraday Insights');
    const response = await page.goto('/insights');
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId('access-denied')).toContainText('for supervisors');
    await expect(page.locator('main')).not.toContainText('Secret');
    expect((await page.request.get('/api/v1/kpis')).status()).toBe(403);
    const wallboard = await page.goto('/wallboard');
    expect(wallboard?.status()).toBe(403);
  });
});
