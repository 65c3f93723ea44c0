// The Web Worker entry: opens the IndexedDB store and serves the VmHost to the main thread.
import * as Comlink from 'comlink';
import { NotFoundError, toErrorPayload, type BootImageRef } from '../domain/index.ts';
import { IndexedDbEventStore } from '../store/IndexedDbEventStore.ts';
import { IndexedDbImageStore } from '../store/ImageStore.ts';
import { IndexedDbCheckpointStore } from '../store/IndexedDbCheckpointStore.ts';
import type { WorkerApi } from './protocol.ts';
import { VmHost, type VmLocks } from './VmHost.ts';

/** Built-in images are served beside the app (public/guests). */
async function fetchBuiltin(ref: BootImageRef): Promise<Uint8Array> {
  const response = await fetch(new URL(`guests/${encodeURIComponent(ref.name)}`, new URL(import.meta.env.BASE_URL, self.location.origin)));
  if (!response.ok) {
    throw new NotFoundError(`The built-in image '${ref.name}' could not be loaded (HTTP ${response.status}).`, 'Reload the page; if it persists, the app was built without its guests.');
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Web Locks: a VM's lock is held by the tab that runs it, and freed when that tab closes. */
const webLocks: VmLocks | undefined =
  typeof navigator !== 'undefined' && navigator.locks
    ? {
        tryAcquire: (vmId) =>
          new Promise((resolve) => {
            void navigator.locks.request(`vm-playground:${vmId}`, { ifAvailable: true }, (lock) => {
              if (!lock) {
                resolve(null);
                return undefined;
              }
              return new Promise<void>((release) => resolve(() => release()));
            });
          }),
      }
    : undefined;

const ready = IndexedDbEventStore.open().then(
  (store) =>
    new VmHost(store, {
      estimate: () => navigator.storage?.estimate?.() ?? Promise.resolve(undefined),
      resolveImage: fetchBuiltin,
      images: new IndexedDbImageStore(store.database),
      checkpoints: new IndexedDbCheckpointStore(store.database),
      ...(webLocks ? { locks: webLocks } : {}),
    }),
);

/**
 * Every method waits for the store, and every failure crosses the boundary as a plain
 * {code, message, hint} object, because Comlink would otherwise keep only an Error's message.
 */
const api = new Proxy({} as WorkerApi, {
  get(_target, method: keyof WorkerApi) {
    return async (...args: unknown[]) => {
      try {
        const host = await ready;
        return await (host[method] as (...a: unknown[]) => unknown).apply(host, args);
      } catch (error) {
        throw toErrorPayload(error);
      }
    };
  },
});

Comlink.expose(api);
