// Serves the repository with Vite and opens one bench page in headless Chromium; returns what the page reports.
import { createServer } from 'vite';
import { chromium } from '@playwright/test';
import { BROWSER_ARGS, chromiumPath } from '../scripts/chromiumPath.ts';

export async function runBenchPage<T>(path: string, timeoutMs = 600_000): Promise<{ result: T; browser: string }> {
  const server = await createServer({ server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: BROWSER_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`http://127.0.0.1:${port}${path}`);
    await page.waitForFunction(() => 'benchResult' in window || 'benchError' in window, undefined, { timeout: timeoutMs, polling: 500 });
    const error = await page.evaluate(() => (window as unknown as { benchError?: string }).benchError);
    if (error) throw new Error(`bench page ${path} failed: ${error}`);
    const result = (await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult)) as T;
    return { result, browser: browser.version() };
  } finally {
    await browser.close();
    await server.close();
  }
}
