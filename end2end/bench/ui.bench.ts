// The browser's side of live updates, measured in Chromium against the release server
// (`make bench-ui`; figures in the README). Not a test: it prints what it measured.
//
// - event → screen: from the ingest API's acknowledgement of an event (a fetch from the page,
//   so both instants are the page's clock) to the change on screen, on Insights (a tile) and
//   on Ongoing (a new row), events spaced 0.1–1 s apart at random;
// - the first paint of 10,000 rows: from the stream's snapshot arriving to the rows painted;
// - a delta in a 10,000-row grid: from the acknowledgement to the new row painted.
import { readFileSync } from 'node:fs';
import { test, expect, Page } from '@playwright/test';
import { signIn, USERS } from '../tests/signin';

const ROUNDS = Number(process.env.BENCH_UI_ROUNDS ?? 40);
const ROWS = Number(process.env.BENCH_UI_ROWS ?? 10_000);
const token = () => readFileSync('.data/token', 'utf8').trim();
const now = (s = 0) => new Date(Date.now() + s * 1000).toISOString();
const results: [string, number[]][] = [];

function pct(values: number[], p: number) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * p)];
}

// POSTs `events` from the page and resolves with the time (ms) from the acknowledgement until
// `changed()` holds on screen (checked on every DOM mutation, then one frame for the paint).
async function ackToScreen(page: Page, events: object[], changed: string): Promise<number> {
  return page.evaluate(
    async ({ events, changed, token }) => {
      const done = new Function(`return (${changed})`) as () => boolean;
      const seen = new Promise<number>((resolve) => {
        const check = () => {
          if (done()) {
            obs.disconnect();
            requestAnimationFrame(() => resolve(performance.now()));
            return true;
          }
          return false;
        };
        const obs = new MutationObserver(check);
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      const r = await fetch('/api/v1/events', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(events),
      });
      const ack = performance.now();
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
      return (await seen) - ack;
    },
    { events, changed, token: token() },
  );
}

const created = (id: string, queue: string, name: string) => ({
  id: `${id}-c`, type: 'conversation.created', at: now(), conversation_id: id, queue_id: queue,
  channel: 'chat', customer: { id: `k-${id}`, name },
});
const pause = () => new Promise((r) => setTimeout(r, 100 + Math.random() * 900));

test('live updates in Chromium', async ({ page, request }) => {
  test.setTimeout(15 * 60_000);
  const stamp = Date.now();
  const queues = [
    { id: `bq-i-${stamp}`, type: 'queue.upserted', at: now(-5), queue_id: 'bq-ins', name: 'Bench Insights', channels: ['chat'] },
    { id: `bq-o-${stamp}`, type: 'queue.upserted', at: now(-5), queue_id: 'bq-ong', name: 'Bench Ongoing', channels: ['chat'] },
    { id: `bq-b-${stamp}`, type: 'queue.upserted', at: now(-5), queue_id: 'bq-big', name: 'Bench Big', channels: ['chat'] },
  ];
  expect((await request.post('/api/v1/events', { headers: { Authorization: `Bearer ${token()}` }, data: queues })).status()).toBe(200);
  await signIn(page, USERS.admin);

  // Insights: the incoming tile of the queue counts each new conversation.
  await page.goto('/insights?queue=bq-ins');
  await expect(page.getByTestId('tile-incoming-value')).toBeVisible();
  const insights: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const before = await page.getByTestId('tile-incoming-value').textContent();
    const changed = `document.querySelector('[data-testid="tile-incoming-value"]')?.textContent !== ${JSON.stringify(before)}`;
    insights.push(await ackToScreen(page, [created(`bi-${stamp}-${i}`, 'bq-ins', 'Bench')], changed));
    await pause();
  }
  results.push(['Insights: event → tile changed', insights]);

  // Ongoing: a new conversation's row, newest first.
  await page.goto('/ongoing?queue=bq-ong&sort=-created');
  await expect(page.getByTestId('live-indicator')).toContainText(/Live/);
  const ongoing: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const id = `bo-${stamp}-${i}`;
    ongoing.push(await ackToScreen(page, [created(id, 'bq-ong', 'Bench')], `!!document.querySelector('[data-id="${id}"]')`));
    await pause();
  }
  results.push(['Ongoing: event → row shown', ongoing]);

  // 10,000 rows.
  for (let i = 0; i < ROWS; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 5000, ROWS); j++) batch.push(created(`bb-${stamp}-${j}`, 'bq-big', `Bulk ${j}`));
    expect((await request.post('/api/v1/events', { headers: { Authorization: `Bearer ${token()}` }, data: batch })).status()).toBe(200);
  }
  const paints: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('/ongoing?queue=bq-big&sort=-created');
    const ms = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const check = () => {
            const mark = performance.getEntriesByName('ongoing-snapshot')[0];
            if (mark && document.querySelector('[data-testid="row"]')) {
              requestAnimationFrame(() => resolve(performance.now() - mark.startTime));
              return true;
            }
            return false;
          };
          if (check()) return;
          const obs = new MutationObserver(() => check() && obs.disconnect());
          obs.observe(document.body, { subtree: true, childList: true });
        }),
    );
    paints.push(ms);
    await expect(page.getByTestId('grid-count')).toContainText(`${ROWS} of`);
  }
  results.push([`Ongoing: snapshot → ${ROWS} rows painted`, paints]);

  const deltas: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const id = `bd-${stamp}-${i}`;
    deltas.push(await ackToScreen(page, [created(id, 'bq-big', 'Bench delta')], `!!document.querySelector('[data-id="${id}"]')`));
    await pause();
  }
  results.push([`Ongoing: delta shown in a ${ROWS}-row grid`, deltas]);

  console.log('\n| measure (ms) | n | p50 | p99 | max |\n|---|---:|---:|---:|---:|');
  for (const [name, v] of results) {
    console.log(`| ${name} | ${v.length} | ${pct(v, 0.5).toFixed(0)} | ${pct(v, 0.99).toFixed(0)} | ${Math.max(...v).toFixed(0)} |`);
  }
});
