// bench/ui: long tasks on the page while the timeline scrolls through a million events and while a VM streams live at full speed.
// Run with `npx tsx bench/ui/run.ts` (`--events N` for another stream length).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { chromium, type Page } from '@playwright/test';
import { BROWSER_ARGS, chromiumPath } from '../../scripts/chromiumPath.ts';
import { phaseStats, type LongTask, type PhaseStats } from './longTasks.ts';

const args = process.argv.slice(2);
const EVENTS = Number(args[args.indexOf('--events') + 1] || 0) || 1_000_000;
const LIVE_MS = 8000;
/** `--profile-live`: the CPU profile covers the live phase only. */
const PROFILE_LIVE = args.includes('--profile-live');
/** `--profile`: also record a CPU profile of the page from the scrolling on, and print where the time went. */
const PROFILE = args.includes('--profile') || PROFILE_LIVE;
/**
 * `--trace-live`: a Chrome trace of the live phase (every thread of the browser; open it in the
 * DevTools performance panel). BENCH_UI_TRACE_CATEGORIES overrides the categories, e.g. adding
 * disabled-by-default-v8.compile shows the engine's optimizing threads.
 */
const TRACE_LIVE = args.includes('--trace-live');
const TRACE_FILE = 'bench/results/ui-live-trace.json';
/** `--profile-load`: the CPU profile covers opening the app instead. */
const PROFILE_LOAD = args.includes('--profile-load');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time per function of a DevTools CPU profile, most first. */
function topFunctions(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, n: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Collects long tasks and animation-frame gaps from the first moment of every page. */
function observe(): void {
  const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

const longTasks = (page: Page): Promise<LongTask[]> => page.evaluate(() => (window as unknown as { __longTasks: LongTask[] }).__longTasks);
const now = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** Scrolls the timeline one step per animation frame; returns the longest gap between frames. */
async function scroll(page: Page, kind: 'sweep' | 'wheel' | 'random', frames: number): Promise<number> {
  return page.evaluate(
    ({ kind, frames }) =>
      new Promise<number>((resolve) => {
        const list = document.querySelector('.event-list') as HTMLElement;
        const range = list.scrollHeight - list.clientHeight;
        let seed = 12345;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        let k = 0;
        let last = performance.now();
        let worst = 0;
        if (kind === 'wheel') list.scrollTop = range / 2;
        const step = (t: number) => {
          worst = Math.max(worst, t - last);
          last = t;
          if (kind === 'sweep') list.scrollTop = (k / frames) * range;
          else if (kind === 'wheel') list.scrollTop += 120;
          else list.scrollTop = random() * range;
          if (++k < frames) requestAnimationFrame(step);
          else resolve(worst);
        };
        requestAnimationFrame(step);
      }),
    { kind, frames },
  );
}

type Phase = PhaseStats & { name: string; worstFrameGapMs: number | null };

async function phase(page: Page, name: string, run: () => Promise<number | void>): Promise<Phase> {
  const t0 = await now(page);
  const gap = await run();
  const t1 = await now(page);
  return { name, ...phaseStats(await longTasks(page), t0, t1), worstFrameGapMs: typeof gap === 'number' ? gap : null };
}

const outDir = join(tmpdir(), 'vm-playground-bench-ui');
console.log(`building the app and the fill page into ${outDir}…`);
await build({
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, sourcemap: false, minify: !PROFILE, rollupOptions: { input: { main: 'index.html', fill: 'bench/ui/fill.html' } } },
});
const port = await freePort();
const server = await preview({ logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true } });
const base = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({ executablePath: chromiumPath(), args: BROWSER_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // tsx keeps function names with a helper that functions passed to page.evaluate cannot see.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await context.addInitScript(observe);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (process.env.BENCH_UI_VERBOSE) console.log(`  page ${m.type()}: ${m.text()}`);
  });

  console.log(`writing a stream of ${EVENTS.toLocaleString('en')} events…`);
  await page.goto(`${base}/bench/ui/fill.html?events=${EVENTS}`);
  await page.waitForFunction(() => 'benchResult' in window || 'benchError' in window, undefined, { timeout: 900_000, polling: 500 });
  const fillError = await page.evaluate(() => (window as unknown as { benchError?: string }).benchError);
  if (fillError) throw new Error(`filling failed: ${fillError}`);
  const filled = (await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult)) as { events: number; ms: number };
  console.log(`  ${filled.events.toLocaleString('en')} events in ${(filled.ms / 1000).toFixed(1)} s`);

  const cdp = PROFILE || PROFILE_LOAD ? await context.newCDPSession(page) : null;
  if (cdp && PROFILE_LOAD) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  console.log('opening the app…');
  const opened = Date.now();
  await page.goto(base);
  await page.locator(`.event-list[data-count="${EVENTS}"]`).waitFor({ timeout: 900_000 });
  await page.locator('.event-row .summary:not(:text("…"))').first().waitFor();
  const load: Phase = { name: 'opening the app until the timeline shows the whole stream', ...phaseStats(await longTasks(page), 0, await now(page)), worstFrameGapMs: null };
  const loadSeconds = (Date.now() - opened) / 1000;
  const phases = [load];

  if (cdp && PROFILE && !PROFILE_LIVE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  console.log('scrolling…');
  phases.push(await phase(page, 'scroll: sweep top to bottom in 240 frames', () => scroll(page, 'sweep', 240)));
  phases.push(await phase(page, 'scroll: 120 px per frame for 300 frames', () => scroll(page, 'wheel', 300)));
  phases.push(await phase(page, 'scroll: 120 random jumps', () => scroll(page, 'random', 120)));
  await page.getByRole('group', { name: 'Timeline filters' }).getByLabel('execution').uncheck();
  phases.push(await phase(page, 'scroll: sweep with execution events filtered out', () => scroll(page, 'sweep', 240)));
  await page.getByRole('group', { name: 'Timeline filters' }).getByLabel('execution').check();

  console.log('streaming live…');
  await page.evaluate(() => {
    const list = document.querySelector('.event-list') as HTMLElement;
    list.scrollTop = list.scrollHeight;
  });
  const resumed = Date.now();
  phases.push(
    await phase(page, 'resume: the worker takes the VM over (reads its whole stream) and starts it', async () => {
      await page.getByRole('button', { name: 'Resume' }).click();
      await page
        .getByTestId('vm-status')
        .getByText('running')
        .waitFor({ timeout: Number(process.env.BENCH_UI_RESUME_TIMEOUT_MS ?? 600_000) })
        .catch(async (error: unknown) => {
          const shown = await page.locator('.toast').allInnerTexts();
          throw new Error(`the VM did not run: ${shown.join(' | ') || 'no message shown'} (${String(error)})`);
        });
    }),
  );
  const resumeSeconds = (Date.now() - resumed) / 1000;
  const before = Number(await page.locator('.event-list').getAttribute('data-count'));
  if (cdp && PROFILE_LIVE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  if (TRACE_LIVE) {
    mkdirSync('bench/results', { recursive: true });
    await browser.startTracing(page, { path: TRACE_FILE, categories: (process.env.BENCH_UI_TRACE_CATEGORIES ?? 'devtools.timeline,toplevel,v8').split(',') });
  }
  phases.push(
    await phase(page, `live: busy.elf running at full speed for ${LIVE_MS / 1000} s, timeline following`, async () => {
      return page.evaluate(
        (ms) =>
          new Promise<number>((resolve) => {
            const end = performance.now() + ms;
            let last = performance.now();
            let worst = 0;
            const step = (t: number) => {
              worst = Math.max(worst, t - last);
              last = t;
              if (t < end) requestAnimationFrame(step);
              else resolve(worst);
            };
            requestAnimationFrame(step);
          }),
        LIVE_MS,
      );
    }),
  );
  if (TRACE_LIVE) {
    await browser.stopTracing();
    console.log(`trace of the live phase: ${TRACE_FILE}`);
  }
  const after = Number(await page.locator('.event-list').getAttribute('data-count'));
  const lastRows = await page.locator('.event-row').evaluateAll((rows) => rows.slice(-12).map((r) => r.getAttribute('data-type')));
  const speed = await page.getByTestId('speed').innerText().catch(() => '');
  await page.getByRole('button', { name: 'Pause' }).click().catch(() => undefined);

  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/ui.cpuprofile', JSON.stringify(profile));
    console.log(`\nself time on the page's main thread, ${PROFILE_LOAD ? 'from opening to the end' : 'scrolling and live'} (bench/results/ui.cpuprofile):\n${topFunctions(profile as never, 25).join('\n')}`);
  }
  const result = { lastRows, events: EVENTS, fillMs: filled.ms, loadSeconds, resumeSeconds, liveEventsAppended: after - before, liveSpeed: speed, phases, errors, loadavg: loadavg(), browser: browser.version() };
  console.log(`\nbench/ui in Chromium ${browser.version()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`stream: ${EVENTS.toLocaleString('en')} events; the app showed all of them ${loadSeconds.toFixed(1)} s after opening`);
  console.log(`resume: running ${resumeSeconds.toFixed(1)} s after the click`);
  console.log(`live: ${after - before} events appended while the VM ran (${speed || 'speed not shown'}); the last rows: ${lastRows.join(' ')}\n`);
  console.log('| phase | seconds | long tasks | over 50 ms | longest (ms) | worst frame gap (ms) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const p of phases) {
    console.log(`| ${p.name} | ${(p.ms / 1000).toFixed(1)} | ${p.count} | ${p.over50} | ${p.longestMs.toFixed(0)} | ${p.worstFrameGapMs === null ? '–' : p.worstFrameGapMs.toFixed(0)} |`);
  }
  if (errors.length > 0) console.log(`\npage errors: ${errors.join('; ')}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ui.json', JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}
