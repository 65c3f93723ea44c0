// A person scrubs back through a VM's history, steps one instruction, and returns to live.
import { expect, test, type Page } from '@playwright/test';

async function text(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).locator('.xterm-rows').innerText();
}

test('scrubbing back shows the console and registers of that moment; stepping and back to live work', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto('/');
  await expect.poll(() => text(page, 'console'), { timeout: 30_000 }).toMatch(/\$\s*$/);
  await page.locator('.console').click();
  await page.keyboard.type('echo first mark');
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'console'), { timeout: 30_000 }).toMatch(/first mark\s*\n\$/);
  await page.keyboard.type('echo second mark');
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'console'), { timeout: 30_000 }).toMatch(/second mark\s*\n\$/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');

  const slider = page.getByLabel('Sequence number');
  const head = Number(await slider.getAttribute('max'));
  const target = Math.max(2, Math.floor(head / 3));
  await slider.fill(String(target));
  await expect(page.getByTestId('scrub-position')).toContainText(`seq ${target} / ${head}`);
  await expect(page.getByRole('status')).toContainText(`after event ${target}`);
  await expect(page.getByTestId('past-console')).toBeVisible();
  await expect.poll(() => text(page, 'past-console')).not.toContain('second mark');
  await expect(page.getByTestId('registers')).toBeVisible();

  // One instruction back: icount drops by one and pc is the previous instruction's.
  const icountOf = async () => Number((await page.getByTestId('scrub-position').innerText()).match(/icount ([\d,]+)/)![1].replaceAll(',', ''));
  const pcBefore = await page.getByTestId('pc').innerText();
  const icountBefore = await icountOf();
  await page.getByRole('button', { name: '◀ instr' }).click();
  await expect.poll(icountOf).toBe(icountBefore - 1);
  const pcAfter = await page.getByTestId('pc').innerText();
  await page.getByRole('button', { name: 'instr ▶' }).click();
  await expect.poll(icountOf).toBe(icountBefore);
  await expect(page.getByTestId('pc')).toHaveText(pcBefore);
  expect(pcAfter).toMatch(/^0x[0-9a-f]+$/);

  // Later in history the second mark is there; back to live shows the live console again.
  await slider.fill(String(head));
  await expect.poll(() => text(page, 'past-console')).toContain('second mark');
  await page.screenshot({ path: 'test-results/screenshots/travel-1280.png', fullPage: true });
  await page.getByRole('button', { name: 'Back to live' }).first().click();
  await expect(page.getByTestId('past-console')).toHaveCount(0);
  await expect(page.getByTestId('scrub-position')).toContainText('live');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  expect(errors).toEqual([]);
});

test('a breakpoint is hit by continue, and by reverse-continue from later', async ({ page }) => {
  await page.goto('/');
  const screen = () => text(page, 'console');
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/\$\s*$/);
  await page.locator('.console').click();
  await page.keyboard.type('echo breakpoints');
  await page.keyboard.press('Enter');
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/breakpoints\s*\n\$/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');

  await page.getByLabel('Sequence number').fill('2');
  await expect(page.getByTestId('scrub-position')).toContainText('seq 2 /');
  // console_putc in public/guests/os.elf: the shell echoes every typed character through it.
  await page.getByLabel('Breakpoint address').fill('0x80000130');
  await page.getByRole('button', { name: 'Add' }).click();
  const icountOf = async () => Number((await page.getByTestId('scrub-position').innerText()).match(/icount ([\d,]+)/)![1].replaceAll(',', ''));

  await page.getByRole('button', { name: 'continue ▶▶' }).click();
  await expect(page.getByTestId('pc')).toHaveText('0x80000130');
  const first = await icountOf();
  await page.getByRole('button', { name: 'continue ▶▶' }).click();
  await expect.poll(icountOf).toBeGreaterThan(first);
  await expect(page.getByTestId('pc')).toHaveText('0x80000130');
  await page.getByRole('button', { name: '◀◀ reverse' }).click();
  await expect.poll(icountOf).toBe(first);
  await expect(page.getByTestId('pc')).toHaveText('0x80000130');
  await expect(page.getByRole('button', { name: 'Breakpoint at 0x80000130' })).toHaveAttribute('aria-pressed', 'true');
});

test('a snapshot is taken and restored, and a fork from a past point goes its own way', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const screen = () => text(page, 'console');
  const typeLine = async (line: string) => {
    await page.locator('.console').click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await expect.poll(screen, { timeout: 30_000 }).toMatch(new RegExp(`${line.replace('echo ', '')}\\s*\\n\\$\\s*$`));
  };
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/\$\s*$/);
  await typeLine('echo alpha');
  await page.getByText('Snapshots (0)').click();
  await page.getByLabel('Snapshot name').fill('after alpha');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await expect(page.locator('[data-snapshot="after alpha"]')).toBeVisible();
  await typeLine('echo beta');
  await page.getByRole('button', { name: 'Restore after alpha' }).click();
  await expect(page.locator('.event-row[data-type="SnapshotRestored"]')).toHaveCount(1);
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  await typeLine('echo gamma');

  await page.getByRole('button', { name: 'Pause' }).click();
  // VmPaused is the last event of the pause; the status shows it has arrived.
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
  const original = await page.locator('.vm-item.selected .name').innerText();
  const slider = page.getByLabel('Sequence number');
  const head = Number(await slider.getAttribute('max'));
  await slider.fill(String(Math.floor(head / 2)));
  await expect(page.getByTestId('scrub-position')).toContainText(`seq ${Math.floor(head / 2)} /`);
  await page.getByRole('button', { name: 'Fork from here' }).click();
  await expect(page.locator('.vm-item.selected .name')).toHaveText(`${original} @${Math.floor(head / 2)}`);
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  await page.locator('.console').click();
  await page.keyboard.type('echo only in the fork');
  await page.keyboard.press('Enter');
  await expect.poll(screen, { timeout: 30_000 }).toContain('only in the fork');
  await page.locator('.vm-item', { hasText: original }).first().locator('.vm-name').click();
  await expect(page.locator('.event-list')).toHaveAttribute('data-count', String(head));
  expect(errors).toEqual([]);
});
