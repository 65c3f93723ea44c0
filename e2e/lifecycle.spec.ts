// A person creates a VM, runs it through its lifecycle, reloads, and finds the same history.
import { expect, test, type Page } from '@playwright/test';

/** Fails the test on any error the page logs. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function eventTypes(page: Page): Promise<string[]> {
  return page.locator('.event-row').evaluateAll((rows) =>
    rows
      .map((r) => [Number(r.getAttribute('data-seq')), r.getAttribute('data-type') ?? ''] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([seq, type]) => `${seq}:${type}`),
  );
}

/** Leaves only lifecycle events in the timeline, so every one of them is rendered. */
async function onlyLifecycle(page: Page): Promise<void> {
  for (const family of ['memory', 'execution', 'device', 'snapshot']) {
    await page.getByRole('group', { name: 'Timeline filters' }).getByLabel(family).uncheck();
  }
}

/** The text on the xterm screen. */
async function consoleText(page: Page): Promise<string> {
  return page.locator('.console .xterm-rows').innerText();
}

test('a new user sees the default VM boot to its prompt, types a command and watches the events grow', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await expect(page.locator('.vm-item')).toHaveCount(1);
  await expect(page.locator('.vm-item .name').first()).toHaveText('Playground OS');
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  await expect.poll(() => consoleText(page), { timeout: 30_000 }).toMatch(/\$\s*$/);
  const before = Number(await page.locator('.event-list').getAttribute('data-count'));

  await page.locator('.console').click();
  await page.keyboard.type('echo hello from the console');
  await page.keyboard.press('Enter');
  await expect.poll(() => consoleText(page), { timeout: 30_000 }).toMatch(/hello from the console\s*\n\$/);
  // Jump back to the typed input through the timeline's jump-to-type control.
  await expect(page.getByLabel('Event type to jump to')).toHaveValue('InputReceived');
  await page.getByRole('button', { name: 'Previous InputReceived' }).click();
  await expect(page.locator('.event-row.selected[data-type="InputReceived"]')).toBeAttached({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Back to live' }).first().click();
  await expect.poll(async () => Number(await page.locator('.event-list').getAttribute('data-count'))).toBeGreaterThan(before);
  await expect(page.getByTestId('speed')).toHaveText(/\d+(\.\d)? (MIPS|kIPS)/);
  await page.screenshot({ path: 'test-results/screenshots/console-1280.png' });
  expect(errors).toEqual([]);
});

test('a created VM keeps its lifecycle events across a reload', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await page.getByLabel('New VM name').fill('lifecycle test');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.locator('.vm-item.selected .name')).toHaveText('lifecycle test');
  await expect(page.getByTestId('vm-status')).toHaveText('created');

  const toolbar = page.getByRole('toolbar', { name: 'Lifecycle' });
  await expect(toolbar.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await toolbar.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  await toolbar.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
  await page.keyboard.press('Alt+r');
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  await page.keyboard.press('Alt+p');
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');

  const lifecycle = (types: string[]) => types.map((t) => t.split(':')[1]);
  await onlyLifecycle(page);
  await expect.poll(async () => lifecycle(await eventTypes(page))).toEqual(['VmCreated', 'VmStarted', 'VmPaused', 'VmResumed', 'VmPaused']);
  const head = Number(await page.locator('.event-list').getAttribute('data-count'));
  const before = await eventTypes(page);

  await page.reload();
  await expect(page.locator('.vm-item')).toHaveCount(2);
  await page.locator('.vm-item', { hasText: 'lifecycle test' }).locator('.vm-name').click();
  await expect(page.getByTestId('vm-status')).toHaveText('paused (user)');
  await expect(page.locator('.event-list')).toHaveAttribute('data-count', String(head));
  await onlyLifecycle(page);
  await expect.poll(() => eventTypes(page)).toEqual(before);
  await page.screenshot({ path: 'test-results/screenshots/lifecycle-1280.png' });
  expect(errors).toEqual([]);
});

test('illegal commands are explained, renames and deletes stick, and export/import restores a VM', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await page.getByLabel('New VM name').fill('roundtrip');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const item = page.locator('.vm-item.selected');
  await expect(item.locator('.name')).toHaveText('roundtrip');

  // Rename with the keyboard.
  await item.getByRole('button', { name: 'Rename roundtrip' }).click();
  await page.getByLabel('VM name', { exact: true }).fill('round trip');
  await page.getByLabel('VM name', { exact: true }).press('Enter');
  await expect(item.locator('.name')).toHaveText('round trip');

  // A shortcut that is not allowed now surfaces a readable error, and writes nothing.
  const count = await page.locator('.event-row').count();
  await page.keyboard.press('Alt+p');
  await expect(page.locator('.toast')).toContainText("Cannot pause VM 'round trip': it is created. Allowed now: start");
  await expect(page.locator('.event-row')).toHaveCount(count);

  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('vm-status')).toHaveText('stopped (user)');
  await onlyLifecycle(page);
  const head = Number(await page.locator('.event-list').getAttribute('data-count'));
  await expect.poll(async () => (await eventTypes(page)).at(-1)).toBe(`${head}:VmStopped`);
  const before = await eventTypes(page);

  const download = page.waitForEvent('download');
  await item.getByRole('button', { name: 'Export round trip' }).click();
  const file = await (await download).path();

  await item.getByRole('button', { name: 'Delete round trip' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('.vm-item', { hasText: 'round trip' })).toHaveCount(0);

  await page.getByTestId('import-file').setInputFiles(file);
  await expect(page.locator('.vm-item.selected .name')).toHaveText('round trip');
  await expect(page.locator('.event-list')).toHaveAttribute('data-count', String(head));
  await onlyLifecycle(page);
  await expect.poll(() => eventTypes(page)).toEqual(before);

  // A truncated file is refused with the line that is wrong, and nothing is imported.
  const vmsBefore = await page.locator('.vm-item').count();
  await page.getByTestId('import-file').setInputFiles({
    name: 'cut.vmstream.jsonl',
    mimeType: 'text/plain',
    buffer: Buffer.from('{"format":"vm-playground/stream","version":1,"vmId":"vm-x","events":3,"exportedAt":0}\n{"vmId":"vm-x","seq":1,"ty'),
  });
  await expect(page.locator('.toast').last()).toContainText('cut.vmstream.jsonl, line 2: the line is cut off');
  await expect(page.locator('.vm-item')).toHaveCount(vmsBefore);
  expect(errors).toEqual([]);
});

test('the page works on a phone-sized screen, typing included, and ? shows the shortcuts', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.locator('.vm-item').first()).toBeVisible();
  await expect(page.getByRole('toolbar', { name: 'Lifecycle' })).toBeVisible();
  await expect.poll(() => consoleText(page), { timeout: 30_000 }).toMatch(/\$\s*$/);
  await page.locator('.console').tap().catch(() => page.locator('.console').click());
  await page.keyboard.type('echo from a phone');
  await page.keyboard.press('Enter');
  await expect.poll(() => consoleText(page), { timeout: 30_000 }).toMatch(/from a phone\s*\n\$/);
  await page.screenshot({ path: 'test-results/screenshots/console-390.png' });

  await page.locator('.app-header h1').click();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
});
