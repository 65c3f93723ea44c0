// The VM's serial console in xterm.js. Bytes go straight to the terminal, never through React state.
import { useContext, useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { latin1Bytes, type VmId } from '../../domain/index.ts';
import { RemoteError } from '../../client/vmClient.ts';
import { AppStoreContext } from '../AppContext.tsx';


/**
 * Writes the console from two sources without gaps or repeats: the output of persisted IoCompleted
 * events (in order, complete; a long history starts with only its end) and the live channel
 * (immediate). Both carry byte offsets into the VM's whole output, so whichever arrives first is
 * written and the other skipped.
 */
class ConsoleFeed {
  written = 0;
  /** The persisted output sets where the terminal starts (a long history sends only its end). */
  private started = false;

  constructor(private readonly term: Terminal) {}

  /** Output of persisted events, in order. */
  fromStream(bytes: string, offset: number): void {
    if (bytes.length === 0) return;
    if (!this.started) {
      this.started = true;
      this.written = offset;
    }
    this.write(bytes, offset);
  }

  /** Output as the guest writes it; ignored until the persisted output has said where to start. */
  live(bytes: string, offset: number): void {
    if (this.started) this.write(bytes, offset);
  }

  private write(bytes: string, offset: number): void {
    if (offset > this.written) return; // a gap: the events will fill it in order
    const fresh = bytes.slice(this.written - offset);
    if (fresh.length === 0) return;
    this.term.write(latin1Bytes(fresh));
    this.written += fresh.length;
  }
}

export function ConsolePane({ vmId, canType }: { vmId: VmId; canType: boolean }) {
  const store = useContext(AppStoreContext);
  const host = useRef<HTMLDivElement>(null);
  const canTypeRef = useRef(canType);
  canTypeRef.current = canType;

  useEffect(() => {
    if (!store || !host.current) return;
    const term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontSize: 13,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
      scrollback: 5000,
      theme: { background: '#0d0f14' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    const feed = new ConsoleFeed(term);
    const { client } = store.getState();

    const stream = store.getState().stream;
    const known = stream?.consoleSoFar() ?? { bytes: '', offset: 0 };
    feed.fromStream(known.bytes, known.offset);
    const unsubscribe = stream?.onConsole((bytes, offset) => feed.fromStream(bytes, offset)) ?? (() => undefined);
    let detach: (() => void) | null = null;
    let disposed = false;
    void client
      .attachConsole(vmId, (u) => {
        if (u.bytes !== undefined && u.offset !== undefined) feed.live(u.bytes, u.offset);
        if (u.error) store.getState().report(new RemoteError(u.error));
      })
      .then((stop) => (disposed ? stop() : (detach = stop)));

    const encoder = new TextEncoder();
    const input = term.onData((data) => {
      if (!canTypeRef.current) return;
      void client.sendInput(vmId, encoder.encode(data)).catch((e: unknown) => store.getState().report(e));
    });
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(host.current);
    return () => {
      disposed = true;
      detach?.();
      unsubscribe();
      input.dispose();
      resize.disconnect();
      term.dispose();
    };
  }, [store, vmId]);

  return <div className="console" ref={host} data-testid="console" aria-label="Serial console" />;
}

/** The console as it was at the viewed point of history: read-only. */
export function PastConsole({ text }: { text: string }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const t = new Terminal({ disableStdin: true, fontSize: 13, fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace", scrollback: 5000, theme: { background: '#15120c' } });
    const fit = new FitAddon();
    t.loadAddon(fit);
    t.open(host.current);
    fit.fit();
    term.current = t;
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(host.current);
    return () => {
      resize.disconnect();
      t.dispose();
      term.current = null;
    };
  }, []);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.reset();
    t.write(latin1Bytes(text));
  }, [text]);

  return <div className="console past" ref={host} data-testid="past-console" aria-label="Console as it was then (read-only)" />;
}
