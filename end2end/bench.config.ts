import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The browser benchmarks (`make bench-ui`): the end-to-end tests' server and users, the specs
// of bench/. The benchmark times a change on screen from inside the page (bypassing the CSP,
// which forbids the page building functions from text).
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  use: { ...base.use, bypassCSP: true },
});
