import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { signIn, USERS } from './signin';

const token = () => readFileSync('.data/token', 'utf8').trim();

test('events posted to the ingest API are counted on the page; bad ones are refused', async ({ page, request }) => {
  await signIn(page, USERS.admin);
  const before = Number(await page.getByTestId('events-stored').textContent());

  const at = new Date(Date.now() - 60_000).toISOString();
  const events = [
    { id: `e2e-q-${Date.now()}`, type: 'queue.upserted', at, queue_id: 'support', name: 'Support', channels: ['chat'] },
    { id: `e2e-a-${Date.now()}`, type: 'agent.upserted', at, agent_id: 'a1', name: 'Ann', queues: ['support'] },
  ];
  const ok = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${token()}` },
    data: events,
  });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toEqual({ accepted: 2, duplicates: 0 });

  const again = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${token()}` },
    data: events,
  });
  expect(await again.json()).toEqual({ accepted: 0, duplicates: 2 });

  const bad = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${token()}` },
    data: [{ id: 'e2e-bad', type: 'conversation.created', at, conversation_id: 'c1', queue_id: 'support', channel: 'fax', customer: { id: 'k', name: 'K' } }],
  });
  expect(bad.status()).toBe(422);
  const body = await bad.json();
  expect(body.errors[0]).toMatchObject({ index: 0, id: 'e2e-bad', field: 'channel' });

  await page.reload();
  await expect(page.getByTestId('events-stored')).toHaveText(String(before + 2));
});
