import { test, expect } from '@playwright/test';
import { signIn, USERS } from './signin';

test('the start page hydrates: the WASM ticks the clock and switches the theme', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  await signIn(page, USERS.admin);
  await page.goto('/');
  await expect(page).toHaveTitle('Intraday');
  // Server-rendered status, read from the database.
  await expect(page.getByTestId('server-status')).toContainText('sqlite');
  await expect(page.getByTestId('events-stored')).toHaveText(/^\d+$/);

  // The clock is empty in the server's HTML; only the WASM fills it and makes it tick.
  const clock = page.getByTestId('local-clock');
  await expect(clock).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
  const first = await clock.textContent();
  await expect(clock).not.toHaveText(first ?? '', { timeout: 3_000 });

  // Clicking the theme switch is handled by the WASM: label and document theme change.
  const theme = page.getByTestId('theme-switch');
  await expect(theme).toHaveText('Theme: system');
  await theme.click();
  await expect(theme).toHaveText('Theme: light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(247, 248, 250)');
  await theme.click();
  await expect(theme).toHaveText('Theme: dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(13, 17, 23)');
  await page.screenshot({ path: 'test-results/start-page-dark.png', fullPage: true });

  // The choice survives a reload.
  await page.reload();
  await expect(page.getByTestId('theme-switch')).toHaveText('Theme: dark');
  expect(consoleErrors).toEqual([]);
});
