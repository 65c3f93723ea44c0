// Catch-up-then-live delivery shared by the stores: each listener sees every seq once, in order.
import type { AnyStoredEvent, VmId } from '../domain/index.ts';
import { READ_PAGE, type EventsListener, type Unsubscribe } from './EventStore.ts';
import { appendAll } from './batch.ts';

type Loader = (vmId: VmId, fromSeq: number, toSeq: number) => Promise<AnyStoredEvent[]>;

interface Subscription {
  readonly listener: EventsListener;
  /** The next seq this listener should receive. */
  next: number;
  /** Live events that arrived while the catch-up read was still running. */
  pending: AnyStoredEvent[] | null;
  closed: boolean;
  refreshing?: boolean;
  again?: boolean;
}

export class SubscriptionHub {
  private readonly subs = new Map<VmId, Set<Subscription>>();
  private readonly load: Loader;
  private readonly onError: (error: unknown) => void;

  constructor(load: Loader, onError: (error: unknown) => void = (e) => console.error('event subscription failed', e)) {
    this.load = load;
    this.onError = onError;
  }

  subscribe(vmId: VmId, fromSeq: number, listener: EventsListener): Unsubscribe {
    const sub: Subscription = { listener, next: Math.max(1, fromSeq), pending: [], closed: false };
    let set = this.subs.get(vmId);
    if (!set) this.subs.set(vmId, (set = new Set()));
    set.add(sub);
    void this.catchUp(vmId, sub);
    return () => {
      sub.closed = true;
      const current = this.subs.get(vmId);
      current?.delete(sub);
      if (current?.size === 0) this.subs.delete(vmId);
    };
  }

  /** Called by the store after a batch has been committed. */
  publish(vmId: VmId, events: readonly AnyStoredEvent[]): void {
    const set = this.subs.get(vmId);
    if (!set) return;
    for (const sub of set) {
      if (sub.pending) appendAll(sub.pending, events);
      else this.deliver(sub, events);
    }
  }

  /**
   * Another writer (another tab) appended to the stream: each live subscriber reads what it has
   * not seen yet from the store. Runs one read per subscriber at a time; a notice during a read
   * triggers one more read after it.
   */
  refresh(vmId: VmId): void {
    for (const sub of this.subs.get(vmId) ?? []) {
      if (sub.pending) continue; // still catching up: it will read the new events anyway
      if (sub.refreshing) {
        sub.again = true;
        continue;
      }
      void this.readNew(vmId, sub);
    }
  }

  private async readNew(vmId: VmId, sub: Subscription): Promise<void> {
    sub.refreshing = true;
    try {
      do {
        sub.again = false;
        const events = await this.load(vmId, sub.next, Number.MAX_SAFE_INTEGER);
        this.deliver(sub, events);
      } while (sub.again && !sub.closed);
    } catch (error) {
      this.onError(error);
    } finally {
      sub.refreshing = false;
    }
  }

  clear(): void {
    for (const set of this.subs.values()) for (const sub of set) sub.closed = true;
    this.subs.clear();
  }

  private async catchUp(vmId: VmId, sub: Subscription): Promise<void> {
    try {
      while (!sub.closed) {
        const page = await this.load(vmId, sub.next, sub.next + READ_PAGE - 1);
        if (page.length === 0) break;
        this.deliver(sub, page);
        if (page.length < READ_PAGE) break;
      }
    } catch (error) {
      this.onError(error);
    }
    const pending = sub.pending ?? [];
    sub.pending = null;
    if (!sub.closed && pending.length > 0) this.deliver(sub, pending);
  }

  private deliver(sub: Subscription, events: readonly AnyStoredEvent[]): void {
    if (sub.closed) return;
    const fresh = events.filter((e) => e.seq >= sub.next);
    if (fresh.length === 0) return;
    sub.next = fresh[fresh.length - 1].seq + 1;
    sub.listener(fresh);
  }
}
