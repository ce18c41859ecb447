import { readFileSync, mkdirSync } from 'node:fs';
import { test, expect, Page, Browser, APIRequestContext, request as api } from '@playwright/test';
import { signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();
const auth = () => ({ Authorization: `Bearer ${token()}` });
const now = (offsetS = 0) => new Date(Date.now() + offsetS * 1000).toISOString();
const QUEUE = 'ins-billing';
let n = 0;
const uid = (p: string) => `og-${p}-${Date.now()}-${n++}`;

// The source system: a token, no browser cookies (a signed-in page's cookie on a token request is
// refused as cross-site).
let source: APIRequestContext;
async function post(_page: Page, events: object[]) {
  const r = await source.post('/api/v1/events', { headers: auth(), data: events });
  expect(r.status(), await r.text()).toBe(200);
}

function created(id: string, name: string, extra: object = {}) {
  return {
    id: `${id}-created`, type: 'conversation.created', at: now(-1), conversation_id: id,
    queue_id: QUEUE, channel: 'chat', customer: { id: `k-${id}`, name }, subject: 'Billing question', ...extra,
  };
}

async function supervisorPage(browser: Browser, login: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, login, '/ongoing');
  // The grid's stream is open and its snapshot applied.
  await expect(page.getByTestId('live-indicator')).toContainText('Live ·');
  await expect(page.getByTestId('grid-count')).toBeVisible();
  return page;
}

const row = (page: Page, id: string) => page.locator(`[data-testid="row"][data-id="${id}"]`);

test.describe.serial('Ongoing conversations', () => {
  test.beforeAll(async ({ browser, baseURL }) => {
    source = await api.newContext({ baseURL });
    const page = await browser.newPage();
    // Ann (the Insights scenario's agent, as that scenario defines her) is available in the
    // queue, so she can be assigned.
    await post(page, [
      { id: uid('q'), type: 'queue.upserted', at: now(-3), queue_id: QUEUE, name: 'Billing', channels: ['chat', 'voice'], service_level_seconds: 20 },
      { id: uid('a'), type: 'agent.upserted', at: now(-3), agent_id: 'ins-ann', name: 'Ann Insights', queues: [QUEUE], skills: ['en'], capacity: 3 },
      { id: uid('p'), type: 'agent.presence', at: now(-2), agent_id: 'ins-ann', presence: 'available' },
    ]);
    await page.close();
  });

  test('a row appears live, its clocks tick, and two supervisors see an assignment at once', async ({ browser }) => {
    const a = await supervisorPage(browser, USERS.billing);
    const b = await supervisorPage(browser, USERS.admin);
    const id = uid('assign');
    await post(a, [created(id, 'Live Customer')]);
    // Applied from the stream's delta: no reload of the grid.
    await expect(row(a, id)).toBeVisible({ timeout: 2_000 });
    await expect(row(b, id)).toBeVisible({ timeout: 2_000 });
    const clock = row(a, id).locator('[data-col="in_status"]');
    const first = await clock.textContent();
    await expect(clock).not.toHaveText(first ?? '', { timeout: 3_000 });

    await row(a, id).locator('[data-col="customer"] a').click();
    await expect(a).toHaveURL(new RegExp(`/ongoing/${id}`));
    await expect(a.getByTestId('panel-title')).toHaveText('Live Customer');
    await a.getByTestId('act-assign-select').selectOption('ins-ann');
    await a.getByTestId('act-assign').click();
    // Over capacity asks first; confirm when it does.
    if (await a.getByTestId('act-assign-warn').isVisible()) await a.getByTestId('act-assign').click();
    await expect(a.getByTestId('action-message')).toContainText(/Done/);
    for (const p of [a, b]) {
      await expect(row(p, id).locator('[data-col="status"]')).toContainText('Offered', { timeout: 2_000 });
    }
    await expect(a.getByTestId('panel-status')).toHaveText('Offered');
    await expect(a.getByTestId('timeline')).toContainText('offered');
    mkdirSync('../docs/screenshots', { recursive: true });
    await a.screenshot({ path: '../docs/screenshots/ongoing-panel.png' });
    await a.context().close();
    await b.context().close();
  });

  test('force close asks for confirmation and removes the row in both browsers', async ({ browser }) => {
    const a = await supervisorPage(browser, USERS.billing);
    const b = await supervisorPage(browser, USERS.admin);
    const id = uid('close');
    await post(a, [created(id, 'Closing Customer')]);
    await expect(row(a, id)).toBeVisible({ timeout: 2_000 });
    await a.goto(`/ongoing/${id}`);
    await a.getByTestId('act-force-close').click();
    await expect(a.getByTestId('confirm-close')).toContainText(id);
    await expect(a.getByTestId('confirm-close')).toContainText('Closing Customer');
    await a.getByTestId('confirm-close-no').click();
    await expect(row(a, id)).toBeVisible();
    await a.getByTestId('act-force-close').click();
    await a.getByTestId('close-reason').fill('Duplicate of another ticket');
    await a.getByTestId('confirm-close-yes').click();
    for (const p of [a, b]) await expect(row(p, id)).toHaveCount(0, { timeout: 2_000 });
    await expect(a.getByTestId('panel-gone')).toBeVisible();
    await a.context().close();
    await b.context().close();
  });

  test('an action the admin switched off is not offered and is refused if called anyway', async ({ browser }) => {
    const admin = await supervisorPage(browser, USERS.admin);
    await admin.goto('/admin/settings');
    await admin.getByTestId('action-monitor').uncheck();
    await admin.getByTestId('actions-submit').click();
    await expect(admin.locator('.form-ok').first()).toBeVisible();
    try {
      const a = await supervisorPage(browser, USERS.billing);
      const id = uid('off');
      await post(a, [created(id, 'Switch Customer')]);
      await a.goto(`/ongoing/${id}`);
      await expect(a.getByTestId('actions')).toBeVisible();
      await expect(a.getByTestId('act-force-close')).toBeVisible();
      await expect(a.getByTestId('act-monitor')).toHaveCount(0);
      const r = await a.request.post('/api/ongoing_act', {
        headers: { Origin: new URL(a.url()).origin },
        data: { id, request: { action: 'monitor' } },
      });
      expect(r.status()).toBe(403);
      expect(await r.text()).toContain('problem.action_off');
      await a.context().close();
    } finally {
      await admin.goto('/admin/settings');
      await admin.getByTestId('action-monitor').check();
      await admin.getByTestId('actions-submit').click();
      await expect(admin.locator('.form-ok').first()).toBeVisible();
      await admin.context().close();
    }
  });

  test('hostile names and texts render as text in the grid, the panel and the CSV', async ({ browser }) => {
    const a = await supervisorPage(browser, USERS.billing);
    const id = uid('hostile');
    const long = 'x'.repeat(4000);
    const names = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> שלום‮ zero​width 😀';
    await post(a, [
      created(id, names, { subject: '=HYPERLINK("http://evil.example")' }),
      { id: `${id}-m1`, type: 'conversation.message', at: now(), conversation_id: id, from: 'customer', text: '<b>bold</b><script>window.pwned=3</script> مرحبا 😀', sentiment: -2 },
      { id: `${id}-m2`, type: 'conversation.message', at: now(), conversation_id: id, from: 'customer', text: long },
    ]);
    await expect(row(a, id)).toBeVisible({ timeout: 2_000 });
    await expect(row(a, id).locator('[data-col="customer"]')).toHaveText(names);
    await a.goto(`/ongoing/${id}`);
    await expect(a.getByTestId('panel-title')).toHaveText(names);
    await expect(a.getByTestId('message').first()).toContainText('<b>bold</b><script>window.pwned=3</script> مرحبا 😀');
    await expect(a.getByTestId('message').nth(1)).toContainText(long);
    // The 4,000-character word wraps inside the panel instead of widening the page.
    const width = await a.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(width).toBeLessThanOrEqual(0);
    expect(await a.evaluate(() => (window as any).pwned)).toBeUndefined();
    expect(await a.locator('img[src="x"]').count()).toBe(0);
    // The export of this view: the subject written as text, not a formula.
    await a.getByTestId('column-chooser').locator('summary').click();
    await a.getByTestId('column-subject').check();
    await a.getByTestId('filter-q').fill(id);
    await expect(a.getByTestId('grid-count')).toContainText('1 of');
    const [download] = await Promise.all([a.waitForEvent('download'), a.getByTestId('export-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain(`'=HYPERLINK(`);
    expect(csv.split('\r\n').filter((l) => l.length > 0)).toHaveLength(2);
    await a.context().close();
  });

  test('10,000 rows render, scroll and sort in the grid', async ({ browser }) => {
    const admin = await supervisorPage(browser, USERS.admin);
    const queue = 'og-big';
    const stamp = Date.now();
    const events: object[] = [
      { id: `og-big-q-${stamp}`, type: 'queue.upserted', at: now(-5), queue_id: queue, name: 'Big', channels: ['chat'] },
    ];
    for (let i = 0; i < 10_000; i++) {
      events.push({
        id: `og-big-${stamp}-${i}`, type: 'conversation.created', at: now(-4), conversation_id: `big-${stamp}-${String(i).padStart(5, '0')}`,
        queue_id: queue, channel: 'chat', customer: { id: `kb${i}`, name: `Bulk ${String(i).padStart(5, '0')}` },
      });
    }
    for (let i = 0; i < events.length; i += 5000) await post(admin, events.slice(i, i + 5000));
    await admin.goto(`/ongoing?queue=${queue}&sort=customer`);
    await expect(admin.getByTestId('grid-count')).toContainText('10000 of', { timeout: 10_000 });
    const rendered = await admin.getByTestId('row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(120);
    await expect(row(admin, `big-${stamp}-00000`)).toBeVisible();
    await admin.getByTestId('grid').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await expect(row(admin, `big-${stamp}-09999`)).toBeVisible();
    // Keyboard: Home goes back to the first row, Enter opens it.
    await admin.getByTestId('grid').focus();
    await admin.keyboard.press('Home');
    await expect(row(admin, `big-${stamp}-00000`)).toHaveAttribute('aria-selected', 'true');
    await admin.keyboard.press('ArrowDown');
    await expect(row(admin, `big-${stamp}-00001`)).toHaveAttribute('aria-selected', 'true');
    await admin.keyboard.press('Enter');
    await expect(admin).toHaveURL(new RegExp(`/ongoing/big-${stamp}-00001`));
    await expect(admin.getByTestId('panel-title')).toHaveText('Bulk 00001');
    mkdirSync('../docs/screenshots', { recursive: true });
    await admin.screenshot({ path: '../docs/screenshots/ongoing-10000.png' });
    await admin.context().close();
  });
  test('the top bar counts open escalations on every live tab, and the columns follow the supervisor', async ({ browser }) => {
    const a = await supervisorPage(browser, USERS.billing);
    // The same person in another browser, on Insights.
    const b = await (await browser.newContext()).newPage();
    await signIn(b, USERS.billing, '/insights');
    const badge = (p: Page) => p.getByTestId('top-escalations');
    await expect(badge(a)).toBeVisible();
    await expect(badge(b)).toBeVisible();
    const before = Number((await badge(a).textContent())?.replace(/\D/g, ''));
    await expect(badge(b)).toHaveText(`⚑ ${before}`);
    const id = uid('esc');
    await post(a, [
      created(id, 'Escalating Customer'),
      { id: `${id}-esc`, type: 'conversation.escalated', at: now(), conversation_id: id, kind: 'customer', note: 'wants a manager' },
    ]);
    for (const p of [a, b]) await expect(badge(p)).toHaveText(`⚑ ${before + 1}`, { timeout: 2_000 });
    await expect(a.getByTestId('escalation-count')).toHaveText(`${before + 1}`);
    // The count leads to the escalated conversations.
    await badge(b).click();
    await expect(b).toHaveURL(/\/ongoing\?escalated=1/);
    await expect(row(b, id)).toBeVisible({ timeout: 2_000 });
    await post(a, [{ id: `${id}-res`, type: 'conversation.escalation_resolved', at: now(), conversation_id: id, by_user: 'billing' }]);
    for (const p of [a, b]) await expect(badge(p)).toHaveText(`⚑ ${before}`, { timeout: 2_000 });

    // A column turned off in one browser is off in the other after a reload, and back on (each
    // change stored before the other browser looks).
    const saved = () => a.waitForResponse((r) => r.url().includes('/api/my_ongoing_columns') && r.status() === 200);
    await a.getByTestId('column-chooser').locator('summary').click();
    await Promise.all([saved(), a.getByTestId('column-monitors').uncheck()]);
    await expect(a.locator('th[data-col="monitors"]')).toHaveCount(0);
    await b.goto('/ongoing');
    await expect(b.locator('th[data-col="monitors"]')).toHaveCount(0);
    await Promise.all([saved(), a.getByTestId('column-monitors').check()]);
    await b.goto('/ongoing');
    await expect(b.locator('th[data-col="monitors"]')).toHaveCount(1);
    await a.context().close();
    await b.context().close();
  });
});
