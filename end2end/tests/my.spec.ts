import { readFileSync, mkdirSync } from 'node:fs';
import { test, expect, Page, Browser, APIRequestContext, request as api } from '@playwright/test';
import { signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();
const now = (offsetS = 0) => new Date(Date.now() + offsetS * 1000).toISOString();
const QUEUE = 'my-queue';
const AGENT = 'my-mia';
let n = 0;
const uid = (p: string) => `my-${p}-${Date.now()}-${n++}`;

// The source system: a token, no browser cookies.
let source: APIRequestContext;
async function post(events: object[]) {
  const r = await source.post('/api/v1/events', { headers: { Authorization: `Bearer ${token()}` }, data: events });
  expect(r.status(), await r.text()).toBe(200);
}
const created = (id: string, name: string) => ({
  id: `${id}-created`, type: 'conversation.created', at: now(-1), conversation_id: id,
  queue_id: QUEUE, channel: 'chat', customer: { id: `k-${id}`, name }, subject: 'Where is my parcel?',
});

async function open(browser: Browser, login: string, path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, login, path);
  await expect(page.getByTestId('live-indicator')).toContainText('Live');
  return page;
}

const gridRow = (page: Page, id: string) => page.locator(`[data-testid="row"][data-id="${id}"]`);

test.describe.serial('My dashboard', () => {
  test.beforeAll(async ({ baseURL }) => {
    source = await api.newContext({ baseURL });
    await post([
      { id: uid('q'), type: 'queue.upserted', at: now(-5), queue_id: QUEUE, name: 'Parcels', channels: ['chat'] },
      { id: uid('a'), type: 'agent.upserted', at: now(-5), agent_id: AGENT, name: 'Mia Dashboard', queues: [QUEUE], capacity: 1 },
      { id: uid('p'), type: 'agent.presence', at: now(-5), agent_id: AGENT, presence: 'offline' },
    ]);
  });

  test('an agent goes available, takes an offer, writes, wraps up and closes while the supervisor follows', async ({ browser }) => {
    const mia = await open(browser, USERS.mia, '/my');
    const sup = await open(browser, USERS.myQueue, '/ongoing');
    // My work is the agent's first tab; a supervisor who takes no conversations has none.
    await expect(mia.locator('nav.tabs a').first()).toHaveAttribute('data-testid', 'tab-my');
    await expect(sup.getByTestId('tab-my')).toHaveCount(0);

    await mia.getByTestId('my-presence').selectOption('available');
    await expect(mia.getByTestId('my-presence')).toHaveValue('available', { timeout: 2_000 });
    await expect(mia.getByTestId('my-capacity')).toContainText('0 of 1');

    const id = uid('c');
    await post([created(id, 'Parcel Customer')]);
    await expect(mia.locator(`[data-testid="open-item"][data-id="${id}"]`)).toBeVisible({ timeout: 2_000 });
    await expect(gridRow(sup, id)).toBeVisible({ timeout: 2_000 });

    // Routing offers it: the offer shows at once with its countdown.
    await post([{ id: `${id}-offer`, type: 'conversation.offered', at: now(), conversation_id: id, agent_id: AGENT, by: 'routing' }]);
    const offer = mia.locator(`[data-testid="my-offer"][data-id="${id}"]`);
    await expect(offer).toBeVisible({ timeout: 2_000 });
    await expect(offer.getByTestId('offer-countdown')).toContainText('s to answer');
    await offer.getByTestId('offer-accept').click();
    await expect(gridRow(sup, id).locator('[data-col="status"]')).toContainText('Active', { timeout: 2_000 });
    await expect(mia.getByTestId('my-capacity')).toContainText('1 of 1', { timeout: 2_000 });
    // Capacity full: the presence goes busy by itself (and back once closed, below).
    await expect(mia.getByTestId('my-presence')).toHaveValue('busy', { timeout: 2_000 });

    // The conversation's panel: write with Enter; the supervisor reads it and whispers back.
    await mia.locator(`[data-testid="my-item"][data-id="${id}"] a`).click();
    await expect(mia.getByTestId('my-panel-title')).toHaveText('Parcel Customer');
    await mia.getByTestId('my-text').fill('Hello, I am looking at your parcel now.');
    await mia.getByTestId('my-text').press('Enter');
    await expect(mia.getByTestId('transcript')).toContainText('Hello, I am looking at your parcel now.', { timeout: 2_000 });
    await sup.goto(`/ongoing/${id}`);
    await expect(sup.getByTestId('transcript')).toContainText('Hello, I am looking at your parcel now.');
    await sup.getByTestId('act-whisper-text').fill('Offer the express refund.');
    await sup.getByTestId('act-whisper').click();
    const whisper = mia.getByTestId('message').filter({ hasText: 'Offer the express refund.' });
    await expect(whisper).toBeVisible({ timeout: 2_000 });
    await expect(whisper.getByTestId('whisper-mark')).toHaveText('Only you see this');
    mkdirSync('../docs/screenshots', { recursive: true });
    await mia.screenshot({ path: '../docs/screenshots/my-dashboard.png' });

    // End: wrap-up with its timer and notes; close: the supervisor's row leaves.
    await mia.getByTestId('act-end').click();
    await expect(mia.getByTestId('my-panel-status')).toHaveText('Wrap-up', { timeout: 2_000 });
    await expect(gridRow(sup, id).locator('[data-col="status"]')).toContainText('Wrap-up', { timeout: 2_000 });
    await expect(mia.getByTestId('wrap-up-timer')).toBeVisible();
    await mia.getByTestId('my-notes').fill('Express refund offered.');
    await mia.getByTestId('act-close').click();
    await expect(mia.locator(`[data-testid="closed-item"][data-id="${id}"]`)).toBeVisible({ timeout: 2_000 });
    await expect(gridRow(sup, id)).toHaveCount(0, { timeout: 2_000 });
    await expect(mia.getByTestId('my-presence')).toHaveValue('available', { timeout: 2_000 });
    await mia.context().close();
    await sup.context().close();
  });

  test('"Assign to me" takes an open conversation and is refused with the reason when capacity is full', async ({ browser }) => {
    const mia = await open(browser, USERS.mia, '/my');
    await mia.getByTestId('my-presence').selectOption('available');
    const [a, b] = [uid('take'), uid('take')];
    await post([created(a, 'First Taker'), created(b, 'Second Taker')]);
    await mia.locator(`[data-testid="open-item"][data-id="${a}"]`).getByTestId('take').click();
    await expect(mia.locator(`[data-testid="my-item"][data-id="${a}"]`)).toBeVisible({ timeout: 2_000 });
    await mia.locator(`[data-testid="open-item"][data-id="${b}"]`).getByTestId('take').click();
    await expect(mia.getByTestId('my-message')).toContainText('no free capacity');
    await expect(mia.locator(`[data-testid="open-item"][data-id="${b}"]`)).toBeVisible();
    // Keyboard first: ? lists the shortcuts, Escape hides them, n opens the next conversation.
    await mia.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await mia.keyboard.press('?');
    await expect(mia.getByTestId('key-help')).toContainText('Accept the offer');
    await mia.keyboard.press('Escape');
    await expect(mia.getByTestId('key-help')).toHaveCount(0);
    await mia.keyboard.press('n');
    await expect(mia).toHaveURL(new RegExp(`/my/${a}`));
    await expect(mia.getByTestId('my-panel-title')).toHaveText('First Taker');
    // Someone else's conversation, opened by its address, is not found.
    const r = await mia.request.post('/api/my_conversation', {
      form: { id: 'ca-not-mine' },
      headers: { Origin: new URL(mia.url()).origin },
    });
    expect(r.status()).toBe(404);
    await mia.context().close();
  });
});
