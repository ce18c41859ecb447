import { test, expect, Page } from '@playwright/test';
import { signIn, USERS } from './signin';

// The browser asks for English (Playwright's default en-US); the switch overrides it with a cookie.
const hydrated = async (page: Page) =>
  // Only the WASM fills the clock, so a ticking clock means the switch's handler is live.
  expect(page.getByTestId('local-clock')).toHaveText(/^\d{2}:\d{2}:\d{2}$/);

test('switching to Polish translates the page, and switching back restores English', async ({ page, context }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await context.clearCookies();

  // A supervisor of their own (the choice is saved for the person, so not the admin the other
  // specs use).
  await signIn(page, USERS.billing, '/insights');
  await page.goto('/insights');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const label = page.getByTestId('tile-abandoned').first().locator('.tile-label');
  await expect(label).toHaveText('Abandoned');
  await hydrated(page);

  // The select is a native one (keyboard: focus, arrows, Enter); pick Polski.
  const select = page.getByRole('combobox', { name: 'Language' });
  await select.focus();
  await select.selectOption('pl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
  await expect(label).toHaveText('Porzucone');
  await expect(page.getByTestId('tile-service_level').first().locator('.tile-label')).toHaveText('Poziom obsługi');
  await expect(page.getByTestId('chart-incoming_closed_hourly').locator('h3'))
    .toHaveText('Przychodzące i zamknięte w podziale na godziny');
  await expect(page.getByRole('combobox', { name: 'Język' })).toHaveValue('pl');
  const cookie = (await context.cookies()).find((c) => c.name === 'intraday_lang');
  expect(cookie?.value).toBe('pl');
  await page.screenshot({ path: 'test-results/insights-polish.png', fullPage: true });

  // The choice is kept for the next page.
  await page.goto('/insights');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
  await expect(label).toHaveText('Porzucone');
  await hydrated(page);

  await page.getByRole('combobox', { name: 'Język' }).selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(label).toHaveText('Abandoned');
  await expect(page.getByTestId('language')).toHaveValue('en');
  expect(consoleErrors).toEqual([]);
});
