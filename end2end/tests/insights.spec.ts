import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { test, expect, APIRequestContext } from '@playwright/test';
import { signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();
const auth = () => ({ Authorization: `Bearer ${token()}` });

// The hand-computed day of the engine's scenario test, 30 minutes ago, in its own queues.
const base = Date.now() - 30 * 60_000;
const at = (s: number) => new Date(base + s * 1000).toISOString();
const conv = (id: string, type: string, s: number, fields: object = {}) =>
  ({ id: `${id}-${type}-${s}`, type: `conversation.${type}`, at: at(s), conversation_id: id, ...fields });
const created = (id: string, s: number, queue: string, channel: string) =>
  conv(id, 'created', s, { queue_id: queue, channel, customer: { id: 'k', name: 'Ada' } });
const day = [
  { id: 'ins-q1', type: 'queue.upserted', at: at(0), queue_id: 'ins-billing', name: 'Billing', channels: ['chat', 'voice'], service_level_seconds: 20 },
  { id: 'ins-a1', type: 'agent.upserted', at: at(0), agent_id: 'ins-ann', name: 'Ann Insights', queues: ['ins-billing'], skills: ['en'], capacity: 3 },
  { id: 'ins-p1', type: 'agent.presence', at: at(0), agent_id: 'ins-ann', presence: 'available' },
  created('i1', 10, 'ins-billing', 'chat'),
  conv('i1', 'offered', 15, { agent_id: 'ins-ann', by: 'routing' }),
  conv('i1', 'accepted', 25, { agent_id: 'ins-ann' }),
  conv('i1', 'message', 40, { from: 'agent', text: 'hi' }),
  conv('i1', 'ended', 100),
  conv('i1', 'closed', 130, { reason: 'resolved' }),
  created('i2', 20, 'ins-billing', 'chat'),
  conv('i2', 'closed', 60, { reason: 'abandoned' }),
  created('i3', 30, 'ins-billing', 'chat'),
  conv('i3', 'offered', 35, { agent_id: 'ins-ann', by: 'routing' }),
  conv('i3', 'rejected', 45, { agent_id: 'ins-ann', reason: 'declined' }),
  conv('i3', 'offered', 50, { agent_id: 'ins-ann', by: 'routing' }),
  conv('i3', 'accepted', 80, { agent_id: 'ins-ann' }),
  created('i4', 450, 'ins-billing', 'voice'),
];

// How the page formats numbers (UI.md).
const duration = (s: number | null) => {
  if (s === null) return '—';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, r = t % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
};
const rate = (f: number | null) => (f === null ? '—' : `${(f * 100).toFixed(1)}%`);

async function kpis(request: APIRequestContext, query: string) {
  const r = await request.get(`/api/v1/kpis?${query}`, { headers: auth() });
  expect(r.status()).toBe(200);
  return r.json();
}

async function expectTilesMatch(page: import('@playwright/test').Page, k: any) {
  const expected: Record<string, string> = {
    incoming: String(k.incoming),
    closed: String(k.closed),
    in_queue: String(k.in_queue),
    abandoned: String(k.abandoned),
    service_level: rate(k.service_level),
    abandon_rate: rate(k.abandon_rate),
    avg_speed_to_answer: duration(k.avg_speed_to_answer),
    aht: duration(k.aht),
    avg_wrap_up: duration(k.avg_wrap_up),
    reject_rate: rate(k.reject_rate),
  };
  for (const [key, value] of Object.entries(expected)) {
    await expect(page.getByTestId(`tile-${key}-value`), key).toHaveText(value);
  }
}

test.describe.serial('Intraday Insights', () => {
  test.beforeAll(async ({ request }) => {
    const r = await request.post('/api/v1/events', { headers: auth(), data: day });
    expect(r.status()).toBe(200);
  });

  test.beforeEach(async ({ page }) => {
    await signIn(page, USERS.admin);
  });

  test('the tiles show exactly what the API says, for the page and for a filter', async ({ page, request }) => {
    await page.goto('/insights?queue=ins-billing');
    const k = await kpis(request, 'queue=ins-billing');
    expect(k.incoming).toBe(4);
    expect(k.service_level).toBeCloseTo(1 / 3, 10);
    await expectTilesMatch(page, k);
    await expect(page.getByTestId('tile-service_level')).toHaveClass(/tile-bad/);
    await expect(page.getByTestId('agent-ins-ann')).toContainText('Ann Insights');
    await page.screenshot({ path: 'test-results/insights.png', fullPage: true });

    // A filter changes the URL and the numbers, as the API says.
    await page.getByTestId('filter-channel').selectOption('voice');
    await expect(page).toHaveURL(/channel=voice/);
    const voice = await kpis(request, 'queue=ins-billing&channel=voice');
    expect(voice.incoming).toBe(1);
    await expectTilesMatch(page, voice);
  });

  test('an event ingested while the page is open changes the tile within a second or two', async ({ page, request }) => {
    await page.goto('/insights?queue=ins-billing');
    await expect(page.getByTestId('live-indicator')).toContainText('Live', { timeout: 5_000 });
    const before = await kpis(request, 'queue=ins-billing');
    await expect(page.getByTestId('tile-incoming-value')).toHaveText(String(before.incoming));
    const r = await request.post('/api/v1/events', {
      headers: auth(),
      data: [created(`live-${Date.now()}`, (Date.now() - base) / 1000, 'ins-billing', 'chat')],
    });
    expect(r.status()).toBe(200);
    await expect(page.getByTestId('tile-incoming-value')).toHaveText(String(before.incoming + 1), { timeout: 2_500 });
  });

  test('replay shows the numbers as they were at that instant', async ({ page, request }) => {
    const then = at(70);
    const q = `queue=ins-billing&at=${encodeURIComponent(then)}`;
    const k = await kpis(request, q);
    expect(k.ongoing.active).toBe(2);
    await page.goto(`/insights?${q}`);
    await expectTilesMatch(page, k);
    await expect(page.getByTestId('live-indicator')).toHaveText('Replay');
    await page.getByTestId('replay-live').click();
    await expect(page).not.toHaveURL(/at=/);
  });

  test('the agents table sorts, filters and exports CSV', async ({ page }) => {
    await page.goto('/insights');
    await page.getByTestId('agents-search').fill('ann insights');
    await expect(page.locator('[data-testid^="agent-"]')).toHaveCount(1);
    await page.getByTestId('agents-search').fill('');
    await page.getByTestId('sort-closed').click();
    await expect(page.locator('th[aria-sort="descending"]')).toContainText('Closed');
    const href = await page.getByTestId('agents-csv').getAttribute('href');
    const csv = decodeURIComponent((href ?? '').replace('data:text/csv;charset=utf-8,', ''));
    expect(csv.split('\n')[0]).toContain('agent_id,name,presence');
    expect(csv).toContain('"ins-ann","Ann Insights",available');
  });

  test('clicking a chart bar filters the whole page by it, as the API says', async ({ page, request }) => {
    await page.goto('/insights?queue=ins-billing');
    const chart = page.getByTestId('chart-by_channel').locator('.chart');
    await expect(chart.locator('svg')).toBeVisible();
    // by_channel of this queue: chat and voice, in that order; click the middle of the second half.
    const box = await chart.boundingBox();
    if (!box) throw new Error('no chart box');
    const k = await kpis(request, 'queue=ins-billing');
    const channels = k.by_channel.map((c: any) => c.channel);
    expect(channels).toEqual(['chat', 'voice']);
    // plot_x: the plot area inside the SVG; click the centre of the last category.
    await chart.click({ position: { x: box.width * 0.8, y: box.height / 2 } });
    await expect(page).toHaveURL(/channel=voice/);
    await expectTilesMatch(page, await kpis(request, 'queue=ins-billing&channel=voice'));
    // The chart's data table is its text alternative, and its rows are links too.
    await page.getByTestId('chart-by_channel').locator('summary').click();
    await expect(page.getByTestId('chart-by_channel').locator('table')).toContainText('Voice');
  });

  test('an agent drill-through shows their day and changes their presence', async ({ page, request }) => {
    await page.goto('/insights?queue=ins-billing');
    await page.getByTestId('agent-ins-ann').getByRole('link').click();
    await expect(page).toHaveURL(/\/insights\/agents\/ins-ann/);
    await expect(page.getByTestId('agent-detail')).toContainText('Ann Insights');
    await expect(page.getByTestId('presence-timeline')).toBeVisible();
    await expect(page.getByTestId('agent-conversations')).toContainText('i1');
    await page.screenshot({ path: 'test-results/agent-drill-through.png', fullPage: true });
    await page.getByTestId('set-presence').selectOption('away');
    await page.getByTestId('set-presence-submit').click();
    await expect(page.getByTestId('agent-presence')).toHaveText('Away');
    const agents = await (await request.get('/api/v1/agents?agent=ins-ann', { headers: auth() })).json();
    expect(agents.agents[0].presence).toBe('away');
  });

  test('wallboard mode shows the chosen tiles in large type', async ({ page, request }) => {
    await page.goto('/wallboard?tiles=incoming,service_level,in_queue&queue=ins-billing');
    const k = await kpis(request, 'queue=ins-billing');
    await expect(page.getByTestId('tile-incoming-value')).toHaveText(String(k.incoming));
    await expect(page.getByTestId('tile-service_level-value')).toHaveText(rate(k.service_level));
    await expect(page.locator('.tile')).toHaveCount(3);
    await page.screenshot({ path: 'test-results/wallboard.png', fullPage: true });
  });

  test('a saved view keeps its filters in this browser and restores them by URL', async ({ page }) => {
    await page.goto('/insights?queue=ins-billing&channel=voice');
    await page.getByTestId('view-save').click();
    await expect(page.getByTestId('saved-views')).toContainText('Give the view a name first.');
    await page.getByTestId('view-name').fill('Billing voice');
    await page.getByTestId('view-save').click();
    await expect(page.getByTestId('saved-view')).toHaveText('Billing voice');
    await page.goto('/insights');
    const link = page.getByTestId('saved-view');
    await expect(link).toHaveText('Billing voice');
    await link.click();
    await expect(page).toHaveURL(/channel=voice/);
    await expect(page).toHaveURL(/queue=ins-billing/);
  });

  test('report panels an admin adds show on the page, external ones sandboxed', async ({ page }) => {
    const db = 'sqlite://.data/e2e.db?mode=rwc';
    const add = (...args: string[]) =>
      execFileSync('../target/release/intraday', ['panel', 'add', ...args, '--db', db]).toString().trim();
    const bi = add('Team BI', '--url', 'https://example.invalid/report');
    const view = add('Billing voice', '--view', 'queue=ins-billing&channel=voice');
    await page.goto('/insights');
    const frame = page.getByTestId(`panel-${bi}`).locator('iframe');
    await expect(frame).toHaveAttribute('sandbox', 'allow-scripts allow-forms allow-popups');
    await expect(frame).toHaveAttribute('src', 'https://example.invalid/report');
    await expect(page.getByTestId(`panel-${view}`)).toContainText('Billing voice');
    await expect(page.getByTestId(`panel-${view}`).getByTestId('tile-incoming-value')).toHaveText('1');
  });

  test('bad filters in the URL get a readable message, not a broken page', async ({ page }) => {
    await page.goto('/insights?window=3h');
    // The filter's own words, in the page's language (not the server's English detail).
    await expect(page.getByTestId('insights-error')).toHaveText('Unknown window; choose one from the list.');
  });
});
