// Unit tests run in Node; the store contract also runs in real Chromium (browser project).
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { BROWSER_ARGS, chromiumPath } from './scripts/chromiumPath.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.browser.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'chromium',
          include: ['src/**/*.browser.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: BROWSER_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
