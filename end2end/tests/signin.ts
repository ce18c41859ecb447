import { createHmac, randomUUID } from 'node:crypto';
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
  // Works as agent my-mia of queue my-queue (the My dashboard's spec), and its supervisor.
  mia: 'agent.mia',
  myQueue: 'sup.my',
};

/** Signs in through the sign-in page and waits for the page it leads to. */
export async function signIn(page: Page, login: string, next = '/') {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByTestId('signin-login').fill(login);
  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('user-name')).toHaveText(login);
}

// What a portal's backend does: sign the person's claims with the shared secret (kept in step
// with playwright.config.ts). The format is the README's; each token gets its own `jti`, since
// a token signs in once.
const SECRET = 'e2e-embed-secret-shared-with-the-portal';
export function signToken(claims: object): string {
  const body = Buffer.from(JSON.stringify({ jti: randomUUID(), ...claims })).toString('base64url');
  const sig = createHmac('sha256', SECRET).update(body).digest('base64url');
  return `${body}.${sig}`;
}
