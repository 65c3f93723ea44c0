// The one contract every CheckpointStore must meet; run against each implementation.
import { describe, expect, it } from 'vitest';
import { packPageMap, pageHash, unpackPageMap, type CheckpointRecord, type CheckpointStore } from './CheckpointStore.ts';

function page(fill: number): Uint8Array {
  return new Uint8Array(4096).fill(fill);
}

async function checkpoint(vmId: string, id: string, icount: number, pages: ReadonlyMap<number, Uint8Array>): Promise<{ record: CheckpointRecord; bytes: Map<string, Uint8Array> }> {
  const map = new Map<number, string>();
  const bytes = new Map<string, Uint8Array>();
  for (const [index, content] of pages) {
    const hash = await pageHash(content);
    map.set(index, hash);
    bytes.set(hash, content);
  }
  const record: CheckpointRecord = { vmId, id, seq: icount / 10, icount, stateHash: `h${id}`, state: new Uint8Array([1, 2, 3]), pageMap: packPageMap(map), createdAt: 1 };
  return { record, bytes };
}

export function checkpointStoreContract(name: string, create: () => Promise<CheckpointStore>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    it('reads back what it stored, lists a VM\'s checkpoints in icount order, and serves pages by hash', async () => {
      const store = await create();
      const late = await checkpoint('vm-a', 'late', 200, new Map([[0, page(1)], [7, page(2)]]));
      const early = await checkpoint('vm-a', 'early', 100, new Map([[0, page(1)]]));
      await store.put(late.record, late.bytes);
      await store.put(early.record, early.bytes);
      expect((await store.list('vm-a')).map((c) => [c.id, c.icount, c.pages])).toEqual([['early', 100, 1], ['late', 200, 2]]);
      expect(await store.list('vm-b')).toEqual([]);
      const back = await store.get('vm-a', 'late');
      expect(back.stateHash).toBe('hlate');
      expect([...back.state]).toEqual([1, 2, 3]);
      const map = unpackPageMap(back.pageMap);
      expect([...map.keys()]).toEqual([0, 7]);
      const pages = await store.getPages([...map.values()]);
      expect(pages.get(map.get(7)!)).toEqual(page(2));
      // Together: the record and only the pages the caller says it lacks.
      const have = map.get(0)!;
      const both = await store.getWithPages('vm-a', 'late', (h) => h === have);
      expect(both.record.stateHash).toBe('hlate');
      expect([...both.pages.keys()]).toEqual([map.get(7)]);
      expect(both.pages.get(map.get(7)!)).toEqual(page(2));
      await expect(store.getWithPages('vm-a', 'gone', () => false)).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('stores several checkpoints and the pages they introduce together', async () => {
      const store = await create();
      const one = await checkpoint('vm-all', 'one', 100, new Map([[0, page(5)]]));
      const two = await checkpoint('vm-all', 'two', 200, new Map([[0, page(5)], [1, page(6)]]));
      await store.putAll([one.record, two.record], new Map([...one.bytes, ...two.bytes]));
      expect((await store.list('vm-all')).map((c) => [c.id, c.pages])).toEqual([['one', 1], ['two', 2]]);
      const map = unpackPageMap((await store.get('vm-all', 'two')).pageMap);
      expect((await store.getPages([...map.values()])).get(map.get(1)!)).toEqual(page(6));
    });

    it('stores a page once however many checkpoints and VMs hold it', async () => {
      const store = await create();
      for (const [vm, id] of [['vm-a', 'one'], ['vm-a', 'two'], ['vm-b', 'one']]) {
        const c = await checkpoint(vm, id, 100, new Map([[0, page(9)], [1, page(9)], [2, page(8)]]));
        await store.put(c.record, c.bytes);
      }
      expect(await store.pageStats()).toEqual({ pages: 2, bytes: 2 * 4096 });
    });

    it('sweeps pages no checkpoint refers to, keeping those still referenced or asked to be kept', async () => {
      const store = await create();
      const a = await checkpoint('vm-a', 'a', 100, new Map([[0, page(1)], [1, page(2)]]));
      const b = await checkpoint('vm-a', 'b', 200, new Map([[0, page(1)], [1, page(3)]]));
      const c = await checkpoint('vm-c', 'c', 200, new Map([[5, page(4)]]));
      await store.put(a.record, a.bytes);
      await store.put(b.record, b.bytes);
      await store.put(c.record, c.bytes);
      expect(await store.sweep()).toBe(0);
      await store.delete('vm-a', ['a']);
      const kept = await pageHash(page(4));
      await store.deleteVm('vm-c');
      expect(await store.sweep(new Set([kept]))).toBe(1);
      expect((await store.pageStats()).pages).toBe(3);
      await expect(store.getPages([await pageHash(page(2))])).rejects.toMatchObject({ code: 'Corrupt' });
      await expect(store.get('vm-a', 'a')).rejects.toMatchObject({ code: 'NotFound' });
      // A checkpoint whose page went is refused whole, not read with a hole.
      await store.put((await checkpoint('vm-d', 'holed', 300, new Map([[0, page(2)]]))).record, new Map());
      await expect(store.getWithPages('vm-d', 'holed', () => false)).rejects.toMatchObject({ code: 'Corrupt' });
      expect((await store.list('vm-a')).map((x) => x.id)).toEqual(['b']);
      expect(await store.sweep()).toBe(1);
    });
  });
}
