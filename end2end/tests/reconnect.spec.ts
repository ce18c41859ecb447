import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { rmSync } from 'node:fs';
import { test, expect, Page, Browser } from '@playwright/test';
import { signIn, PASSWORD } from './signin';

// A server of its own (its port and database), killed and started again under open pages. In
// between, a stand-in answers 502 on its port, as a reverse proxy does while the server behind
// it is down (or a server still starting answers 503): Chromium closes an EventSource for good
// on such an answer, and the page must open a new one by itself.
const port = Number(process.env.E2E_PORT ?? 3999) + 2;
const origin = `http://127.0.0.1:${port}`;
const db = 'sqlite://end2end/.data/reconnect.db?mode=rwc';
const QUEUE = 'rc-queue';
const LOGIN = 'sup.reconnect';
const root = '..';
const intraday = './target/release/intraday';

let server: ChildProcess | undefined;
let token = '';

async function start() {
  server = spawn(intraday, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`], {
    cwd: root,
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${origin}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not start on ${origin}`);
}

async function kill() {
  const s = server!;
  const exited = new Promise((r) => s.once('exit', r));
  s.kill('SIGKILL');
  await exited;
  server = undefined;
}

/** Answers every request with 502 until closed. */
async function proxyWithoutBackend(): Promise<Server> {
  const stand = createServer((_req, res) => {
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('Bad Gateway');
  });
  await new Promise<void>((r) => stand.listen(port, '127.0.0.1', () => r()));
  return stand;
}

async function closed(stand: Server) {
  stand.closeAllConnections();
  await new Promise((r) => stand.close(r));
}

const now = () => new Date().toISOString();
let n = 0;
async function newConversation(name: string): Promise<string> {
  const id = `rc-${Date.now()}-${n++}`;
  const r = await fetch(`${origin}/api/v1/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify([
      { id: `${id}-c`, type: 'conversation.created', at: now(), conversation_id: id, queue_id: QUEUE, channel: 'chat', customer: { id: `k-${id}`, name } },
    ]),
  });
  expect(r.status, await r.text()).toBe(200);
  return id;
}

async function supervisor(browser: Browser, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await signIn(page, LOGIN, path);
  await expect(page.getByTestId('live-indicator')).toContainText('Live');
  return page;
}

/** Kills the server under the open pages, stands a 502 in for it, then starts it again. */
async function outage(pages: Page[]) {
  await kill();
  for (const page of pages) {
    await expect(page.getByTestId('live-indicator')).toHaveText('Reconnecting…');
  }
  const stand = await proxyWithoutBackend();
  // Long enough for the browser's own retry (3 s) to meet the 502 and give up.
  await new Promise((r) => setTimeout(r, 4_500));
  for (const page of pages) {
    await expect(page.getByTestId('live-indicator')).toHaveText('Reconnecting…');
  }
  await closed(stand);
  await start();
}

test.describe.serial('Pages when the server goes away and comes back', () => {
  test.beforeAll(async () => {
    for (const f of ['reconnect.db', 'reconnect.db-wal', 'reconnect.db-shm', 'reconnect.db.snapshot']) {
      rmSync(`.data/${f}`, { force: true });
    }
    token = execFileSync(intraday, ['token', 'create', 'reconnect', '--db', db], { cwd: root }).toString().trim();
    execFileSync(intraday, ['user', 'add', LOGIN, '--role', 'supervisor', '--queues', QUEUE, '--db', db], {
      cwd: root,
      input: `${PASSWORD}\n`,
    });
    await start();
    const r = await fetch(`${origin}/api/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { id: 'rc-q', type: 'queue.upserted', at: now(), queue_id: QUEUE, name: 'Reconnect', channels: ['chat'] },
      ]),
    });
    expect(r.status).toBe(200);
  });

  test.afterAll(async () => {
    if (server) await kill();
  });

  test('Insights says Reconnecting…, then comes back by itself with what changed meanwhile', async ({ browser }) => {
    await newConversation('Before');
    const page = await supervisor(browser, '/insights');
    await expect(page.getByTestId('tile-incoming-value')).toHaveText('1');
    await outage([page]);
    // Sent before the page is back on its feed: no delta announces it, the page reads again
    // when the feed reopens.
    await newConversation('While away');
    await expect(page.getByTestId('live-indicator')).toContainText('Live', { timeout: 10_000 });
    await expect(page.getByTestId('tile-incoming-value')).toHaveText('2');
    // And it follows new changes again.
    await newConversation('After');
    await expect(page.getByTestId('tile-incoming-value')).toHaveText('3');
  });

  test('the Ongoing grid comes back by itself, with the rows that arrived meanwhile', async ({ browser }) => {
    const page = await supervisor(browser, '/ongoing');
    const row = (id: string) => page.locator(`[data-testid="row"][data-id="${id}"]`);
    const before = await newConversation('Grid before');
    await expect(row(before)).toBeVisible();
    await outage([page]);
    const away = await newConversation('Grid while away');
    await expect(page.getByTestId('live-indicator')).toContainText('Live', { timeout: 10_000 });
    await expect(row(away)).toBeVisible();
    await expect(row(before)).toBeVisible();
    const after = await newConversation('Grid after');
    await expect(row(after)).toBeVisible();
  });
});
