// The timeline's density strip and event details, drag-and-drop import, verify, and typing from a phone keyboard.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function screen(page: Page): Promise<string> {
  return page.getByTestId('console').locator('.xterm-rows').innerText();
}

async function typeLine(page: Page, line: string, expected: RegExp): Promise<void> {
  await page.locator('.console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(expected);
}

test('a click on the density strip travels to that part of the stream, and the details pane shows the selected event', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/\$\s*$/);
  await typeLine(page, 'echo strip', /strip\s*\n\$\s*$/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
  const head = Number(await page.locator('.event-list').getAttribute('data-count'));
  const strip = page.getByTestId('density-strip');
  await expect(strip).toHaveAttribute('data-head', String(head));

  // The strip is painted in the families' colours: the middle row of pixels is not all background.
  const painted = () =>
    strip.evaluate((canvas: HTMLCanvasElement) => {
      const ctx = canvas.getContext('2d')!;
      const row = ctx.getImageData(0, Math.floor(canvas.height / 2), canvas.width, 1).data;
      let colored = 0;
      for (let i = 0; i < row.length; i += 4) if (row[i] !== 0x10 || row[i + 1] !== 0x13 || row[i + 2] !== 0x1a) colored++;
      return colored / (row.length / 4);
    });
  await expect.poll(painted).toBeGreaterThan(0.9);

  // A click a quarter of the way along travels to about a quarter of the stream.
  const box = (await strip.boundingBox())!;
  await strip.click({ position: { x: box.width / 4, y: box.height / 2 } });
  const expected = Math.floor(head / 4) + 1;
  await expect(page.getByTestId('scrub-position')).toContainText(/seq \d+ \//);
  const seq = Number((await page.getByTestId('scrub-position').innerText()).match(/seq (\d+) \//)![1]);
  expect(Math.abs(seq - expected)).toBeLessThanOrEqual(Math.ceil(head / box.width) + 1);
  await expect(page.locator(`.event-row.selected[data-seq="${seq}"]`)).toBeVisible();

  // The details pane shows that event, every field of it.
  const details = page.getByTestId('event-details');
  await expect(details).toHaveAttribute('data-seq', String(seq));
  const type = await page.locator('.event-row.selected').getAttribute('data-type');
  await expect(details.locator('h3')).toContainText(`${type} #${seq}`);
  await expect(details).toContainText('icount');

  // The typed input (the last one, seen from live), with its bytes escaped and counted.
  await page.getByRole('button', { name: 'Back to live' }).first().click();
  await page.getByLabel('Event type to jump to').selectOption('InputReceived');
  await page.getByRole('button', { name: 'Previous InputReceived' }).click();
  await expect(details.locator('h3')).toContainText('InputReceived');
  await expect(details.locator('.bytes')).toHaveText(/^“[a-z ]*\\r”$/);
  await expect(details).toContainText(/\(\d+ bytes\)/);
  await expect(details).toContainText('uart0');
  await strip.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/timeline-1280.png' });
  expect(errors).toEqual([]);
});

test('an exported VM dropped on the VM list is imported with an identical timeline; verify checks it', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await page.getByLabel('New VM name').fill('dropped');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const item = page.locator('.vm-item.selected');
  await expect(item.locator('.name')).toHaveText('dropped');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/\$\s*$/);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('stopped (user)');
  const head = Number(await page.locator('.event-list').getAttribute('data-count'));
  await expect(item.getByTestId('vm-storage')).toHaveText(new RegExp(`^${head} events · ≈\\d+(\\.\\d)? (B|KiB|MiB)$`));
  await expect(page.getByTestId('storage-total')).toContainText('stored in all');

  // Verify re-executes the recording and says it matches.
  await item.getByRole('button', { name: 'Verify dropped' }).click();
  await expect(item.getByTestId('verify-result')).toContainText(`effects of ${head} events checked`);

  const download = page.waitForEvent('download');
  await item.getByRole('button', { name: 'Export dropped' }).click();
  const text = readFileSync(await (await download).path(), 'utf8');
  await item.getByRole('button', { name: 'Delete dropped' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('.vm-item', { hasText: 'dropped' })).toHaveCount(0);

  const list = page.getByTestId('vm-list');
  const transfer = await page.evaluateHandle((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'dropped.vmstream.jsonl', { type: 'application/x-ndjson' }));
    return dt;
  }, text);
  await list.dispatchEvent('dragenter', { dataTransfer: transfer });
  await expect(list).toHaveClass(/drop-target/);
  await expect(page.getByTestId('drop-hint')).toBeVisible();
  await list.dispatchEvent('dragover', { dataTransfer: transfer });
  await list.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-hint')).toHaveCount(0);
  await expect(page.locator('.vm-item.selected .name')).toHaveText('dropped');
  await expect(page.locator('.event-list')).toHaveAttribute('data-count', String(head));
  const types = await page.locator('.event-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-seq')}:${r.getAttribute('data-type')}`));
  const exported = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => JSON.parse(line) as { seq: number; type: string });
  const bySeq = new Map(exported.map((e) => [String(e.seq), e.type]));
  expect(types.length).toBeGreaterThan(0);
  for (const t of types) expect(`${t.split(':')[0]}:${bySeq.get(t.split(':')[0])}`).toBe(t);
  expect(errors).toEqual([]);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('text from the on-screen keyboard reaches the console, and the details pane fits the screen', async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto('/');
    await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/\$\s*$/);
    await page.locator('.console').tap();
    // An on-screen keyboard inserts text without key events; Enter arrives as a key.
    await page.keyboard.insertText('echo typed on glass');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/typed on glass\s*\n\$/);
    await page.getByRole('button', { name: 'Pause' }).tap();
    await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
    await page.getByRole('button', { name: 'Previous InputReceived' }).tap();
    const details = page.getByTestId('event-details');
    await expect(details.locator('h3')).toContainText('InputReceived');
    const box = (await details.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await details.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/screenshots/timeline-390.png' });
    expect(errors).toEqual([]);
  });
});
