// First load of Insights on a slow network and a slow machine (`make bench-ui`; figures in the
// README). Not a test: it prints what it measured.
//
// Chromium emulates 10 Mbit/s down and up with 40 ms of latency and a CPU four times slower.
// A supervisor already signed in opens /insights; the time runs from the navigation to the
// page being interactive: hydrated, with its live feed connected ("Live"), which needs the
// WASM downloaded, compiled and run. Cold: an empty browser cache; warm: the same page opened
// again. Side by side, the same build as a browser that asks for no compression gets it.
import { test, expect, Browser, CDPSession, Page } from '@playwright/test';
import { signIn, USERS } from '../tests/signin';

const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 5);
const NETWORK = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };
const CPU_SLOWDOWN = 4;

function median(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Load {
  ms: number;
  bytes: number;
  wasmBytes: number;
  wasmEncoding: string;
}

// Emulates the slow network and machine on `page`, counting the bytes that crossed the wire.
async function slow(page: Page, identity: boolean) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  if (identity) {
    await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  }
  return cdp;
}

async function load(page: Page, cdp: CDPSession): Promise<Load> {
  const urls = new Map<string, string>();
  const encodings = new Map<string, string>();
  let bytes = 0;
  let wasmBytes = 0;
  let wasmEncoding = '';
  const onResponse = (e: any) => {
    urls.set(e.requestId, e.response.url);
    encodings.set(e.requestId, e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? 'none');
  };
  const onFinished = (e: any) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) ?? '').endsWith('.wasm')) {
      wasmBytes += e.encodedDataLength;
      wasmEncoding = encodings.get(e.requestId) ?? '';
    }
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  const start = Date.now();
  await page.goto('/insights', { waitUntil: 'commit' });
  await expect(page.getByTestId('live-indicator')).toContainText('Live', { timeout: 60_000 });
  const ms = Date.now() - start;
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  return { ms, bytes, wasmBytes, wasmEncoding };
}

// The signed-in person's cookies, from a sign-in in a context of its own: each measured
// context starts with them and an empty cache.
async function signedIn(browser: Browser) {
  const context = await browser.newContext();
  await signIn(await context.newPage(), USERS.billing, '/signin');
  const state = await context.storageState();
  await context.close();
  return state;
}

test('first load of Insights, 10 Mbit/s, 40 ms, 4x CPU slowdown', async ({ browser }) => {
  test.setTimeout(ROUNDS * 6 * 60_000);
  const rows: [string, Load[]][] = [];
  const storageState = await signedIn(browser);
  for (const [name, identity] of [['served as built', false], ['no compression asked', true]] as const) {
    const cold: Load[] = [];
    const warm: Load[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // A new context each round: its cache is empty.
      const context = await browser.newContext({ storageState });
      const page = await context.newPage();
      const cdp = await slow(page, identity);
      cold.push(await load(page, cdp));
      warm.push(await load(page, cdp));
      await context.close();
    }
    rows.push([`${name}, cold`, cold], [`${name}, warm`, warm]);
  }
  console.log(`\nfirst load of /insights (median of ${ROUNDS}; interactive = hydrated and Live)`);
  console.log('case | interactive | bytes over the wire | of which WASM (encoding)');
  for (const [name, loads] of rows) {
    const m = (f: (l: Load) => number) => median(loads.map(f));
    console.log(
      `${name} | ${m((l) => l.ms)} ms | ${m((l) => l.bytes).toLocaleString('en')} | ` +
        `${m((l) => l.wasmBytes).toLocaleString('en')} (${loads[0].wasmEncoding || 'from cache'})`,
    );
  }
});
