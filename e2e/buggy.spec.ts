// The buggy program's walk-through (guests/README.md), end to end: crash, watch, reverse-continue, culprit.
import { expect, test } from '@playwright/test';

test('a watchpoint on the corrupted pointer and reverse-continue find the store that corrupted it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const screen = () => page.getByTestId('console').locator('.xterm-rows').innerText();
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/\$\s*$/);
  await page.locator('.console').click();
  await page.keyboard.type('run buggy');
  await page.keyboard.press('Enter');
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/load page fault at 0x0000000000000539[^]*killed/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');

  // 1. Travel to the fault.
  await page.getByLabel('Event type to jump to').selectOption('PageFault');
  await page.getByRole('button', { name: 'Previous PageFault' }).click();
  await expect(page.locator('.event-row.selected[data-type="PageFault"]')).toBeAttached();

  // 2. Watch board.leader: physical 0x80027148 after a fresh boot.
  await page.getByLabel('Memory address').fill('0x80027148');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page.getByTestId('memory')).toContainText('80027148  39 05 00 00 00 00 00 00');
  await page.getByRole('button', { name: 'Watch writes at 0x80027148' }).click();

  // 3. Reverse-continue: the culprit store in set_bonus, with the pointer not yet overwritten.
  await page.getByRole('button', { name: '◀◀ reverse' }).click();
  await expect(page.getByTestId('pc')).toHaveText('0x10800');
  await expect(page.locator('.inspector .code li.current .text')).toHaveText(/^sd\s+a2,0\(a0\)/);
  await expect.poll(() => page.getByTestId('past-console').locator('.xterm-rows').innerText()).toContain('bonus of 1337 for zed (slot 8)');
  await expect(page.getByTestId('memory')).not.toContainText('80027148  39 05 00 00');
  await page.screenshot({ path: 'test-results/screenshots/buggy-1280.png' });
  expect(errors).toEqual([]);
});
