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
    const ins = await open(browser, USERS.myQueue, '/insights');
    const tile = async (key: string) => Number(await ins.getByTestId(`tile-${key}-value`).first().textContent());
    const follows = (key: string, value: number) =>
      expect(ins.getByTestId(`tile-${key}-value`).first(), key).toHaveText(String(value), { timeout: 2_000 });
    const [incoming, inQueue, closed] = [await tile('incoming'), await tile('in_queue'), await tile('closed')];
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
    await follows('incoming', incoming + 1);
    await follows('in_queue', inQueue + 1);

    // Routing offers it: the offer shows at once with its countdown.
    await post([{ id: `${id}-offer`, type: 'conversation.offered', at: now(), conversation_id: id, agent_id: AGENT, by: 'routing' }]);
    const offer = mia.locator(`[data-testid="my-offer"][data-id="${id}"]`);
    await expect(offer).toBeVisible({ timeout: 2_000 });
    await expect(offer.getByTestId('offer-countdown')).toContainText('s to answer');
    await offer.getByTestId('offer-accept').click();
    await expect(gridRow(sup, id).locator('[data-col="status"]')).toContainText('Active', { timeout: 2_000 });
    await expect(mia.getByTestId('my-capacity')).toContainText('1 of 1', { timeout: 2_000 });
    await follows('in_queue', inQueue);
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
    await follows('closed', closed + 1);
    await expect(mia.getByTestId('my-presence')).toHaveValue('available', { timeout: 2_000 });
    await mia.context().close();
    await sup.context().close();
    await ins.context().close();
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

  test("the admin's desk settings: a queue's offer countdown runs out, a full capacity goes DND, a silent monitor is told", async ({ browser }) => {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, USERS.admin, '/admin/settings');
    const desk = admin.getByTestId('desk-card');
    const setDesk = async (presence: string, tell: boolean, seconds: string) => {
      await admin.goto('/admin/settings');
      await desk.getByTestId('desk-full-presence').selectOption(presence);
      await desk.getByTestId('desk-tell-monitoring').setChecked(tell);
      await desk.getByTestId('desk-offer-seconds').fill('30');
      await desk.getByTestId('desk-submit').click();
      await expect(desk.locator('.form-ok').first()).toBeVisible();
      await admin.goto('/admin/settings');
      await desk.getByTestId('offer-queue').selectOption(QUEUE);
      await desk.getByTestId('offer-queue-seconds').fill(seconds);
      await desk.getByTestId('offer-queue-submit').click();
      await expect(desk.locator('.form-ok').first()).toBeVisible();
    };
    await setDesk('busy_dnd', true, '5');
    await admin.goto('/admin/settings');
    await expect(desk.getByTestId(`offer-queue-${QUEUE}`)).toContainText('5 s');
    await expect(desk.getByTestId('desk-tell-monitoring')).toBeChecked();
    await desk.screenshot({ path: '../docs/screenshots/agents-desk-settings.png' });
    try {
      const mia = await open(browser, USERS.mia, '/my');
      const sup = await open(browser, USERS.myQueue, '/ongoing');
      // Free Mia's capacity from the previous test's conversation.
      for (const id of await mia.getByTestId('my-item').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))) {
        await post([{ id: `${id}-closed`, type: 'conversation.closed', at: now(), conversation_id: id, reason: 'resolved' }]);
      }
      await expect(mia.getByTestId('my-capacity')).toContainText('0 of 1', { timeout: 2_000 });
      await mia.getByTestId('my-presence').selectOption('available');
      await expect(mia.getByTestId('my-presence')).toHaveValue('available', { timeout: 2_000 });

      // An offer left alone: its queue's 5 s run out and it is back in the queue.
      const id = uid('timeout');
      await post([created(id, 'Patient Customer'), { id: `${id}-offer`, type: 'conversation.offered', at: now(), conversation_id: id, agent_id: AGENT, by: 'routing' }]);
      const offer = mia.locator(`[data-testid="my-offer"][data-id="${id}"]`);
      await expect(offer.getByTestId('offer-countdown')).toHaveText(/^[1-5] s to answer$/, { timeout: 2_000 });
      await expect(offer).toHaveCount(0, { timeout: 8_000 });
      await expect(mia.locator(`[data-testid="open-item"][data-id="${id}"]`)).toBeVisible({ timeout: 2_000 });
      await expect(gridRow(sup, id).locator('[data-col="status"]')).toContainText('Open', { timeout: 2_000 });

      // Taken: the full capacity sets busy (DND), as the admin chose.
      await mia.locator(`[data-testid="open-item"][data-id="${id}"]`).getByTestId('take').click();
      await expect(mia.getByTestId('my-presence')).toHaveValue('busy_dnd', { timeout: 2_000 });

      // A supervisor listens in silently; agents are told, so Mia sees it.
      await sup.goto(`/ongoing/${id}`);
      await sup.getByTestId('act-monitor').click();
      await mia.goto(`/my/${id}`);
      await expect(mia.getByTestId('my-monitor')).toHaveText(`${USERS.myQueue} is monitoring this conversation`, { timeout: 2_000 });
      await expect(mia.getByTestId('my-monitor')).toHaveAttribute('data-mode', 'silent');
      await mia.getByTestId('act-end').click();
      await mia.getByTestId('act-close').click();
      await expect(mia.getByTestId('my-presence')).toHaveValue('available', { timeout: 2_000 });
      await mia.context().close();
      await sup.context().close();
    } finally {
      await setDesk('busy', false, '');
      await admin.context().close();
    }
  });
});
