import { defineConfig } from '@playwright/test';

// The release server on its own port and a fresh SQLite database, started from the project root
// (the server reads Leptos.toml and serves target/site from there).
const port = Number(process.env.E2E_PORT ?? 3999);
const db = 'sqlite://end2end/.data/e2e.db?mode=rwc';
// Kept in step with tests/embed.spec.ts.
const embedSecret = 'e2e-embed-secret-shared-with-the-portal';
// Kept in step with tests/signin.ts.
const password = 'e2e-password-1';
const users: [string, string, string][] = [
  ['admin', 'admin', ''],
  ['sup.billing', 'supervisor', '--queues ins-billing,au-billing'],
  ['sup.other', 'supervisor', '--queues ins-other'],
  ['agent.ann', 'agent', '--agent ins-ann'],
  ['agent.mia', 'agent', '--agent my-mia'],
  ['sup.my', 'supervisor', '--queues my-queue'],
];

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
    // A fresh database with an API token the specs read from end2end/.data/token, and the users
    // of tests/signin.ts.
    command: [
      'rm -rf end2end/.data && mkdir -p end2end/.data',
      `./target/release/intraday token create e2e --db "${db}" > end2end/.data/token`,
      ...users.map(
        ([login, role, extra]) =>
          `echo ${password} | ./target/release/intraday user add ${login} --role ${role} ${extra} --db "${db}"`,
      ),
      // The portal of tests/embed.spec.ts (another origin on this machine, so Chromium's
      // local-network rules allow the frame) may frame /embed/….
      `./target/release/intraday embed allow http://localhost:${port + 1} --db "${db}"`,
      `INTRADAY_EMBED_SECRET='${embedSecret}' ./target/release/intraday serve --db "${db}" --addr 127.0.0.1:${port}`,
    ].join(' && '),
    cwd: '..',
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
