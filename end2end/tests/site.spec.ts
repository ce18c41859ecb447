import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { signIn, USERS, PASSWORD } from './signin';

// The site's files as browsers get them, from the release server of playwright.config.ts.
test('the WASM, JS and CSS have hashed names, come brotli-compressed and are cached for a year', async ({ page, request }) => {
  await signIn(page, USERS.admin);
  const html = await (await request.get('/signin')).text();
  const names = ['wasm', 'js', 'css'].map((ext) => {
    const m = html.match(new RegExp(`/pkg/intraday\\.([0-9a-zA-Z_-]+)\\.${ext}`));
    expect(m, `a hashed .${ext} in the page`).not.toBeNull();
    return m![0];
  });
  for (const name of names) {
    const compressed = await request.get(name, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(compressed.status()).toBe(200);
    expect(compressed.headers()['content-encoding'], name).toBe('br');
    expect(compressed.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  }
  const page_ = await request.get('/signin');
  expect(page_.headers()['cache-control']).toBe('private, no-cache');
});

// A server binary built by plain cargo (here the debug one `cargo test` builds), not by
// cargo-leptos, serving the same built site: its pages name the site's files and hydrate.
test('a server built by plain cargo finds the built site and its pages hydrate', async ({ page }) => {
  const bin = join(__dirname, '../../target/debug/intraday');
  expect(existsSync(bin), `${bin} is missing: run cargo build -p server`).toBe(true);
  const root = join(__dirname, '../..');
  const db = `sqlite://${mkdtempSync(join(tmpdir(), 'intraday-plain-'))}/p.db?mode=rwc`;
  execFileSync(bin, ['user', 'add', USERS.admin, '--role', 'admin', '--db', db], { cwd: root, input: `${PASSWORD}\n` });
  const port = Number(process.env.E2E_PORT ?? 3999) + 7;
  const server: ChildProcess = spawn(bin, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--no-simulate'], { cwd: root, stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${port}`;
    await expect.poll(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status ?? 0, { timeout: 30_000 }).toBe(200);
    await page.goto(`${base}/signin`);
    await page.getByTestId('signin-login').fill(USERS.admin);
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-submit').click();
    await expect(page.getByTestId('user-name')).toHaveText(USERS.admin);
    await page.goto(`${base}/`);
    // The clock is empty in the server's HTML; only the WASM fills it.
    await expect(page.getByTestId('local-clock')).toHaveText(/^\d{2}:\d{2}:\d{2}$/, { timeout: 10_000 });
  } finally {
    server.kill('SIGTERM');
  }
});
