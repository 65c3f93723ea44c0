// The Web Worker entry: opens the IndexedDB store and serves the VmHost to the main thread.
import * as Comlink from 'comlink';
import { toErrorPayload } from '../domain/index.ts';
import { IndexedDbEventStore } from '../store/IndexedDbEventStore.ts';
import type { WorkerApi } from './protocol.ts';
import { VmHost } from './VmHost.ts';

const ready = IndexedDbEventStore.open().then(
  (store) => new VmHost(store, { estimate: () => navigator.storage?.estimate?.() ?? Promise.resolve(undefined) }),
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
