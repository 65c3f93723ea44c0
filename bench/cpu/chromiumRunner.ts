// Drives the bench/cpu page in headless Chromium: one Vite server and browser for all rounds, a fresh page and worker per run.
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type CDPSession } from '@playwright/test';
import { BROWSER_ARGS, chromiumPath } from '../../scripts/chromiumPath.ts';
import type { CpuPageResult, StartBench } from './page.ts';
import type { GuestRun, GuestRunOptions } from './runGuest.ts';

export interface ChromiumRun {
  readonly run: GuestRun;
  /**
   * CPU seconds of the renderer process that worked hardest during the run (the worker's, with the page's
   * fetch and machine construction): robust to other load where wall time is not.
   */
  readonly rendererCpuSeconds: number | undefined;
}

interface ProcessInfo {
  readonly type: string;
  readonly id: number;
  readonly cpuTime: number;
}

/** A running Vite server and Chromium; `dispose()` ends both. */
export class ChromiumRunner {
  private constructor(
    private readonly server: ViteDevServer,
    private readonly browser: Browser,
    private readonly cdp: CDPSession,
    private readonly origin: string,
  ) {}

  static async start(root: string): Promise<ChromiumRunner> {
    const server = await createServer({ root, server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    await server.listen();
    const address = server.httpServer?.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const browser = await chromium.launch({ executablePath: chromiumPath(), args: BROWSER_ARGS });
      return new ChromiumRunner(server, browser, await browser.newBrowserCDPSession(), `http://127.0.0.1:${port}`);
    } catch (error) {
      await server.close();
      throw new Error(`cannot start Chromium for bench/cpu: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  get version(): string {
    return this.browser.version();
  }

  /** Opens the page, runs bench.elf once in a new worker and closes the page. */
  async run(options: GuestRunOptions): Promise<ChromiumRun> {
    const page = await this.browser.newPage();
    try {
      page.on('pageerror', (e) => console.error('bench/cpu page error:', e.message));
      await page.goto(`${this.origin}/bench/cpu/index.html`);
      await page.waitForFunction(() => 'startBench' in window, undefined, { timeout: 60_000 });
      const before = await this.processes();
      const result = await page.evaluate((o) => (window as unknown as { startBench: StartBench }).startBench(o), options);
      const after = await this.processes();
      return { run: (result as CpuPageResult).run, rendererCpuSeconds: busiestRendererDelta(before, after) };
    } finally {
      await page.close();
    }
  }

  async dispose(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }

  private async processes(): Promise<readonly ProcessInfo[] | undefined> {
    try {
      const info = (await this.cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
      return info.processInfo;
    } catch {
      return undefined; // Not every Chromium build answers; the run still counts by wall time.
    }
  }
}

function busiestRendererDelta(before: readonly ProcessInfo[] | undefined, after: readonly ProcessInfo[] | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  let best: number | undefined;
  for (const p of after) {
    if (p.type !== 'renderer') continue;
    const delta = p.cpuTime - (before.find((b) => b.id === p.id)?.cpuTime ?? 0);
    if (best === undefined || delta > best) best = delta;
  }
  return best;
}
