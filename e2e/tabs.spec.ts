// Two tabs: the second follows a running VM read-only and live, and takes it over when the first closes.
import { expect, test } from '@playwright/test';

test('a second tab follows the running VM live, read-only, and takes over when the owner closes', async ({ context }) => {
  const owner = await context.newPage();
  await owner.goto('/');
  await expect(owner.getByTestId('vm-status')).toHaveText('running');
  await expect.poll(() => owner.getByTestId('console').locator('.xterm-rows').innerText(), { timeout: 30_000 }).toMatch(/\$\s*$/);

  const follower = await context.newPage();
  await follower.goto('/');
  await expect(follower.getByTestId('vm-status')).toHaveText('running');
  const count = async () => Number(await follower.locator('.event-list').getAttribute('data-count'));
  const before = await count();
  await owner.locator('.console').click();
  await owner.keyboard.type('echo seen from the other tab');
  await owner.keyboard.press('Enter');
  await expect.poll(count, { timeout: 20_000 }).toBeGreaterThan(before);
  await expect.poll(() => follower.getByTestId('console').locator('.xterm-rows').innerText(), { timeout: 20_000 }).toContain('seen from the other tab');

  await follower.getByRole('button', { name: 'Pause' }).click();
  await expect(follower.locator('.toast').last()).toContainText('running in another tab');
  await expect(follower.getByTestId('vm-status')).toHaveText('running');

  await owner.close();
  await follower.getByRole('button', { name: 'Pause' }).click();
  await expect(follower.getByTestId('vm-status')).toHaveText(/paused/);
  await follower.getByRole('button', { name: 'Resume' }).click();
  await expect(follower.getByTestId('vm-status')).toHaveText('running');
  await follower.locator('.console').click();
  await follower.keyboard.type('echo taken over');
  await follower.keyboard.press('Enter');
  await expect.poll(() => follower.getByTestId('console').locator('.xterm-rows').innerText(), { timeout: 30_000 }).toMatch(/taken over\s*\n\$/);
});
