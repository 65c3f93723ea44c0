// Debian's OpenSBI and U-Boot, uploaded into the page, boot to the prompt and answer a command.
import { expect, test } from '@playwright/test';
import { FIRMWARE, firmwarePresent } from '../src/cli/firmwarePaths.ts';

const FW_JUMP = FIRMWARE.fwJump;
const UBOOT = FIRMWARE.ubootSmode;
// In CI a missing cache fails the run (firmwarePresent throws); elsewhere the scenario is skipped.
const present = firmwarePresent();

test('uploads fw_jump.bin and the S-mode u-boot.bin, boots to the U-Boot prompt and types version', async ({ page }) => {
  test.skip(!present, 'firmware not fetched: run npm run fetch-firmware');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('.vm-item')).not.toHaveCount(0);
  await page.getByText('New VM from files…').click();
  await page.getByPlaceholder('(file name)').fill('U-Boot');
  await page.getByTestId('bios-file').setInputFiles(FW_JUMP);
  await page.getByTestId('kernel-file').setInputFiles(UBOOT);
  await page.getByRole('button', { name: 'Create from files' }).click();
  await expect(page.locator('.vm-item.selected .name')).toHaveText('U-Boot');
  await page.getByRole('button', { name: 'Start' }).click();
  const screen = () => page.getByTestId('console').locator('.xterm-rows').innerText();
  await expect.poll(screen, { timeout: 60_000 }).toMatch(/=>\s*$/);
  await page.locator('.console').click();
  await page.keyboard.type('version');
  await page.keyboard.press('Enter');
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/U-Boot 2023\.01[^]*riscv64-linux-gnu-gcc[^]*=>\s*$/);
  await page.screenshot({ path: 'test-results/screenshots/uboot-1280.png' });
  expect(errors).toEqual([]);
});

test('a file that is not a program is refused with its name and nothing is created', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.vm-item')).not.toHaveCount(0);
  const before = await page.locator('.vm-item').count();
  await page.getByText('New VM from files…').click();
  await page.getByTestId('bios-file').setInputFiles({ name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('This is a text file, not a RISC-V program.\n') });
  await page.getByRole('button', { name: 'Create from files' }).click();
  await expect(page.locator('.toast').last()).toContainText("'readme.txt'");
  await expect(page.locator('.vm-item')).toHaveCount(before);
});
