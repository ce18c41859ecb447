import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { test, expect, Page } from '@playwright/test';
import { signToken } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();

// Two portals, real web servers on this machine (Chromium refuses to let a public site frame a
// local address at all, so a made-up public host would prove nothing): one on the origin the
// admin allowed, one on another.
const port = Number(process.env.E2E_PORT ?? 3999);
const ALLOWED = `http://localhost:${port + 1}`;
const OTHER = `http://localhost:${port + 2}`;
const servers: Server[] = [];

test.beforeAll(async () => {
  for (const p of [port + 1, port + 2]) {
    const server = createServer((req, res) => {
      const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!DOCTYPE html><title>Portal</title><h1>Portal</h1>
        <iframe id="intraday" src="${src.replace(/"/g, '')}" width="1280" height="900"></iframe>`);
    });
    await new Promise<void>((done) => server.listen(p, '127.0.0.1', done));
    servers.push(server);
  }
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

/** Opens a portal page at `origin` that frames Intraday's embedded Insights tab. */
async function portal(page: Page, origin: string, app: string) {
  const t = signToken({
    sub: 'portal.sue',
    role: 'supervisor',
    queues: ['emb-queue'],
    exp: Math.floor(Date.now() / 1000) + 300,
  });
  const src = `${app}/embed/insights?token=${t}&tabs=insights,wallboard`;
  await page.goto(`${origin}/portal?src=${encodeURIComponent(src)}`);
}

test('inside an allowed portal the embedded tab signs in by token and stays live', async ({ page, baseURL, request }) => {
  await portal(page, ALLOWED, baseURL!);
  const frame = page.frameLocator('#intraday');
  await expect(frame.getByTestId('user-name')).toHaveText('portal.sue');
  await expect(frame.getByTestId('tab-insights')).toBeVisible();
  await expect(frame.getByTestId('tab-wallboard')).toBeVisible();
  await expect(frame.getByTestId('tab-dashboard')).toHaveCount(0);
  await expect(frame.getByTestId('sign-out')).toHaveCount(0);
  const tile = frame.getByTestId('tile-incoming-value').first();
  await expect(tile).toHaveText(/^\d+$/);
  const before = Number(await tile.textContent());

  // A new conversation in the portal person's queue reaches the framed page: its change feed
  // and its server function calls carry the embed session, with no cookie anywhere.
  const at = new Date().toISOString();
  const r = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${token()}` },
    data: [{ id: `emb-${Date.now()}`, type: 'conversation.created', at, conversation_id: `emb-c-${Date.now()}`, queue_id: 'emb-queue', channel: 'chat', customer: { id: 'k', name: 'Framed' } }],
  });
  expect(r.status()).toBe(200);
  await expect(tile).toHaveText(String(before + 1), { timeout: 10_000 });
  expect(await page.context().cookies(baseURL!)).toEqual([]);
  await page.screenshot({ path: 'test-results/embedded.png' });
});

test('another origin may not frame Intraday', async ({ page, baseURL }) => {
  const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
  const framed = page.waitForResponse((r) => r.url().includes('/embed/insights'));
  await portal(page, OTHER, baseURL!);
  expect((await framed).status()).toBe(200);
  await refused;
  await expect(page.frameLocator('#intraday').getByTestId('user-name')).toHaveCount(0);
});
