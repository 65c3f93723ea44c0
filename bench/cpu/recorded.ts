// Runs bench.elf through the app's own runtime with recording on: a VmHost whose machine runner
// appends every effect (instruction batches, console output, traps) to an event store, as in the app.
import { VmHost } from '../../src/runtime/VmHost.ts';
import { setTranslation } from '../../src/runtime/replay.ts';
import type { EventStore } from '../../src/store/EventStore.ts';
import { InMemoryImageStore } from '../../src/store/ImageStore.ts';
import type { GuestRun } from './runGuest.ts';

const TAIL_BYTES = 400;

/**
 * From StartVm to the VM's stop at poweroff, timed with `now` (milliseconds). The seconds include
 * everything recording costs: effect batching, one store transaction per flush, the runner's pacing.
 */
export async function runRecorded(image: Uint8Array, store: EventStore, translate: boolean, now: () => number): Promise<GuestRun & { readonly events: number }> {
  setTranslation(translate);
  const t0 = now();
  const host = new VmHost(store, { images: new InMemoryImageStore() });
  try {
    const vm = await host.createVmFromFiles('bench', { name: 'bench.elf', bytes: image });
    let tail = '';
    await host.attachConsole(vm.vmId, (u) => {
      if (u.bytes) tail = (tail + u.bytes).slice(-TAIL_BYTES);
    });
    const t1 = now();
    await host.execute(vm.vmId, { type: 'StartVm' });
    for (;;) {
      const state = (await host.listVms()).find((v) => v.vmId === vm.vmId)?.state;
      if (state === undefined) throw new Error('the bench VM disappeared');
      if (state.status === 'stopped' || state.status === 'paused') {
        const t2 = now();
        const events = (await store.loadEvents(vm.vmId)).length;
        return {
          instructions: state.icount,
          seconds: (t2 - t1) / 1000,
          setupSeconds: (t1 - t0) / 1000,
          reason: state.status === 'stopped' ? 'poweroff' : 'budget',
          ...(state.exitCode === null ? {} : { exitCode: state.exitCode }),
          consoleTail: tail,
          events,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    host.dispose();
    setTranslation(true);
  }
}
