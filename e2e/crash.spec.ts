// A crash while running: the page and its worker die mid-run; reopened, the stream is whole up to its last flush and the VM is marked interrupted.
import { expect, test, type Page } from '@playwright/test';

interface StoredEvent {
  readonly vmId: string;
  readonly seq: number;
  readonly type: string;
  readonly icount: number;
  readonly at: number;
  readonly data: Record<string, unknown>;
}

/** Every VM's stream and metadata straight from IndexedDB, as the store lays them out (segments.ts). */
async function storedStreams(page: Page): Promise<{ heads: Record<string, number>; events: StoredEvent[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('vm-playground');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T,>(name: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(name).objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const streams = await all<{ vmId: string; head: number }>('streams');
    const segments = await all<{ vmId: string; seq: number; body: string }>('events');
    db.close();
    const events = segments.flatMap((s) =>
      (JSON.parse(s.body) as { type: string; icount: number; at: number; data: Record<string, unknown> }[]).map((e, i) => ({ ...e, vmId: s.vmId, seq: s.seq + i })),
    );
    return { heads: Object.fromEntries(streams.map((s) => [s.vmId, s.head])), events };
  });
}

test('a VM whose page dies while it runs reopens consistent, losing at most its last unflushed slice, marked interrupted', async ({ context }) => {
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('vm-status')).toHaveText('running');
  const screen = () => page.getByTestId('console').locator('.xterm-rows').innerText();
  await expect.poll(screen, { timeout: 30_000 }).toMatch(/\$\s*$/);
  // life draws generation after generation on the 100 Hz timer: the VM is busy when the page goes.
  await page.locator('.console').click();
  await page.keyboard.type('run life');
  await page.keyboard.press('Enter');
  await expect.poll(screen, { timeout: 30_000 }).toContain('generation');
  const before = await storedStreams(page);
  const [vmId] = Object.keys(before.heads);
  await expect.poll(async () => (await storedStreams(page)).heads[vmId], { timeout: 10_000 }).toBeGreaterThan(before.heads[vmId]);
  const closedAt = await page.evaluate(() => Date.now());
  await page.close({ runBeforeUnload: false });

  const reopened = await context.newPage();
  await reopened.goto('/');
  await expect(reopened.getByTestId('vm-status')).toHaveText('paused (interrupted)', { timeout: 30_000 });
  const after = await storedStreams(reopened);
  const events = after.events.filter((e) => e.vmId === vmId).sort((a, b) => a.seq - b.seq);

  // Gapless, in icount order, the metadata's head is the last event.
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  expect(after.heads[vmId]).toBe(events.length);
  const icounts = events.map((e) => e.icount);
  expect(icounts).toEqual([...icounts].sort((a, b) => a - b));
  // Everything flushed before the crash is still there, unchanged.
  const key = (e: StoredEvent) => `${e.seq}:${e.type}:${e.icount}:${JSON.stringify(e.data)}`;
  const kept = before.events.filter((e) => e.vmId === vmId).map(key);
  expect(events.slice(0, kept.length).map(key)).toEqual(kept);
  // Marked interrupted at its last recorded point, and what was lost is no more than the last flush interval.
  const marker = events[events.length - 1];
  const lastRecorded = events[events.length - 2];
  expect(marker).toMatchObject({ type: 'VmPaused', data: { reason: 'interrupted' } });
  expect(marker.icount).toBe(lastRecorded.icount);
  expect(lastRecorded.type).not.toBe('VmPaused');
  expect(closedAt - lastRecorded.at).toBeLessThan(1000);

  // It opens and goes on where it was.
  await reopened.getByRole('button', { name: 'Resume' }).click();
  await expect(reopened.getByTestId('vm-status')).toHaveText('running');
});
