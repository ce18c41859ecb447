import { defineConfig } from '@playwright/test';

// The release server on its own port and a fresh SQLite database, started from the project root
// (the server reads Leptos.toml and serves target/site from there).
const port = Number(process.env.E2E_PORT ?? 3999);

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/.tmp',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `rm -rf end2end/.data && ./target/release/intraday serve --db "sqlite://end2end/.data/e2e.db?mode=rwc" --addr 127.0.0.1:${port}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
