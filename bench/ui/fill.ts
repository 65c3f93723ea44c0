// Runs in Chromium on the app's origin: writes one VM whose stream holds `?events=N` events into the app's IndexedDB.
import { IndexedDbEventStore } from '../../src/store/IndexedDbEventStore.ts';
import { asVmId, newEvent, type AnyNewEvent } from '../../src/domain/index.ts';
import { defaultVmConfig } from '../../src/runtime/defaultConfig.ts';

export const BENCH_VM_ID = 'vm-b1e4c4000001';
const BATCH = 1000;

/**
 * A realistic mix of effect events of every family. Their icount stays 0 so that resuming the VM
 * boots busy.elf (the benchmark's workloads round after round) afresh and runs it live at full speed, appending to the same long stream; the
 * recorded effects are not re-checked by a run, only by a seek or verify, which this bench does not do.
 */
function effect(i: number, at: number): AnyNewEvent {
  switch (i % 8) {
    case 0:
    case 1:
    case 2:
      return newEvent('InstructionsExecuted', { fromIcount: 0, count: 250_000, pcStart: '0x80001234', pcEnd: '0x80001a40' }, 0, at);
    case 3:
      return newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: `line ${i}: hello\r\n` }, 0, at);
    case 4:
      return newEvent('TrapTaken', { cause: 7, interrupt: true, tval: '0x0', pc: '0x80000104', from: 'M', to: 'M', count: 3 }, 0, at);
    case 5:
      return newEvent('InterruptRaised', { source: 'clint', irq: 7, count: 3 }, 0, at);
    case 6:
      return newEvent('MemoryAllocated', { base: `0x${(0x80000000 + (i % 4096) * 4096).toString(16)}`, pages: 1 }, 0, at);
    default:
      return newEvent('PageFault', { vaddr: '0x10000', access: 'load', pc: '0x1080c', privilege: 'U' }, 0, at);
  }
}

async function fill(total: number): Promise<{ events: number; ms: number }> {
  const store = await IndexedDbEventStore.open();
  const vmId = asVmId(BENCH_VM_ID);
  const t0 = performance.now();
  const start = Date.now() - total;
  let head = (
    await store.append(vmId, 'no-stream', [
      newEvent('VmCreated', { name: 'Million events', config: defaultVmConfig({ name: 'busy.elf', builtin: true }) }, 0, start),
      newEvent('VmStarted', {}, 0, start),
    ])
  ).lastSeq;
  while (head < total - 1) {
    const n = Math.min(BATCH, total - 1 - head);
    head = (await store.append(vmId, head, Array.from({ length: n }, (_, k) => effect(head + k, start + head + k)))).lastSeq;
  }
  head = (await store.append(vmId, head, [newEvent('VmPaused', { reason: 'user' }, 0, start + total)])).lastSeq;
  store.dispose();
  return { events: head, ms: performance.now() - t0 };
}

const out = document.getElementById('out')!;
const total = Number(new URLSearchParams(location.search).get('events') ?? 1_000_000);
fill(total).then(
  (result) => {
    out.textContent = JSON.stringify(result);
    (window as unknown as { benchResult: unknown }).benchResult = result;
  },
  (error: unknown) => {
    out.textContent = `failed: ${String(error)}`;
    (window as unknown as { benchError: string }).benchError = String(error);
  },
);
