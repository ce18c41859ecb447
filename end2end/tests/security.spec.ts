import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { signIn, signToken, PASSWORD, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();
const auth = () => ({ Authorization: `Bearer ${token()}` });

test.describe.serial('Security (SECURITY.md)', () => {
  test('a sign-in link cannot send the browser to another site', async ({ page }) => {
    for (const next of ['/\t/evil.example', '/\n/evil.example', '//evil.example', '/\\evil.example', 'https://evil.example']) {
      await page.context().clearCookies();
      await page.goto(`/signin?next=${encodeURIComponent(next)}`);
      const origin = new URL(page.url()).origin;
      await page.getByTestId('signin-login').fill(USERS.admin);
      await page.getByTestId('signin-password').fill(PASSWORD);
      await page.getByTestId('signin-submit').click();
      await expect(page.getByTestId('user-name')).toHaveText(USERS.admin);
      expect(new URL(page.url()).origin, next).toBe(origin);
      expect(page.url(), next).not.toContain('evil');
    }
  });

  test('a CSV export writes a formula as text', async ({ page, request }) => {
    const now = new Date().toISOString();
    const events = [
      { id: 'sec-q1', type: 'queue.upserted', at: now, queue_id: 'sec-csv', name: 'CSV', channels: ['chat'], service_level_seconds: 20 },
      { id: 'sec-a1', type: 'agent.upserted', at: now, agent_id: 'sec-eve', name: '=HYPERLINK("http://evil.example","x")', queues: ['sec-csv'], skills: [], capacity: 1 },
      { id: 'sec-p1', type: 'agent.presence', at: now, agent_id: 'sec-eve', presence: 'available' },
    ];
    const r = await request.post('/api/v1/events', { headers: auth(), data: events });
    expect(r.status()).toBe(200);
    await signIn(page, USERS.admin);
    await page.goto('/insights?queue=sec-csv');
    await expect(page.getByTestId('agent-sec-eve')).toBeVisible();
    const href = await page.getByTestId('agents-csv').getAttribute('href');
    const csv = decodeURIComponent((href ?? '').replace('data:text/csv;charset=utf-8,', ''));
    expect(csv).toContain(`"sec-eve","'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv).not.toContain(`,"=HYPERLINK`);
  });

  test('a portal link signs in once, and the admin ends the portal session', async ({ browser, page, request }) => {
    const link = `/embed/insights?token=${signToken({
      sub: 'portal.sec',
      role: 'supervisor',
      queues: ['sec-csv'],
      exp: Math.floor(Date.now() / 1000) + 300,
    })}`;
    const portal = await browser.newPage();
    await portal.goto(link);
    await expect(portal.getByTestId('user-name')).toHaveText('portal.sec');
    // What the framed page sends with each of its requests.
    const session = await portal.locator('meta[name=intraday-session]').getAttribute('content');
    const asPortal = { 'x-intraday-session': session ?? '' };
    expect((await request.get('/api/v1/kpis', { headers: asPortal })).status()).toBe(200);
    // The same link again is spent.
    const again = await browser.newPage();
    const response = await again.goto(link);
    expect(response?.status()).toBe(401);
    await expect(again.getByTestId('embed-refused')).toContainText('already used');

    await signIn(page, USERS.admin);
    await page.goto('/admin/tokens');
    const row = page.getByTestId('embedded-portal.sec');
    await expect(row).toContainText('portal:portal.sec');
    await page.getByTestId('embedded-end-portal.sec').click();
    await page.getByTestId('embedded-end-portal.sec-confirm').click();
    await expect(row).toHaveCount(0);
    // The portal's page has lost its session.
    expect((await request.get('/api/v1/kpis', { headers: asPortal })).status()).toBe(401);
  });

  test('a page whose session ends elsewhere goes back to sign-in by itself', async ({ page, baseURL }) => {
    await signIn(page, USERS.billing, '/insights');
    await expect(page.getByTestId('live-indicator')).toContainText(/Live/);
    // Signing out in another tab of the same browser ends the session this page uses.
    const r = await page.context().request.post('/auth/signout', {
      headers: { Origin: baseURL! },
      maxRedirects: 0,
    });
    expect(r.status()).toBe(303);
    await expect(page).toHaveURL(/\/signin/, { timeout: 10_000 });
  });
});
