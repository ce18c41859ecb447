import { expect, Page } from '@playwright/test';

// The users playwright.config.ts creates before the server starts, all with this password.
export const PASSWORD = 'e2e-password-1';
export const USERS = {
  admin: 'admin',
  // Supervises the Insights scenario's queue only.
  billing: 'sup.billing',
  // Supervises another queue only.
  other: 'sup.other',
  // Works as the scenario's agent.
  agent: 'agent.ann',
};

/** Signs in through the sign-in page and waits for the page it leads to. */
export async function signIn(page: Page, login: string, next = '/') {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByTestId('signin-login').fill(login);
  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('user-name')).toHaveText(login);
}
