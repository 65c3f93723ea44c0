// End-to-end scenarios against the production build, in Debian's Chromium unless CHROMIUM_PATH says otherwise.
import { defineConfig } from '@playwright/test';
import { BROWSER_ARGS, chromiumPath } from './scripts/chromiumPath.ts';

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: 'http://127.0.0.1:4173',
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath(), args: BROWSER_ARGS },
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
    url: 'http://127.0.0.1:4173',
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
