// NS16550A UART: registers, FIFO, interrupt causes, divisor latch and loopback.
import { describe, expect, it } from 'vitest';
import { Uart } from './uart.ts';

describe('NS16550A UART', () => {
  it('transmits written bytes and reports an empty transmitter', () => {
    const sent: number[] = [];
    const u = new Uart((b) => sent.push(b));
    u.write(0, 1, 0x41);
    expect(sent).toEqual([0x41]);
    expect(u.read(5, 1) & 0x60).toBe(0x60);
  });

  it('receives bytes in order and clears data-ready when the FIFO empties', () => {
    const u = new Uart(() => {});
    u.receive(Uint8Array.of(1, 2));
    expect(u.read(5, 1) & 1).toBe(1);
    expect([u.read(0, 1), u.read(0, 1)]).toEqual([1, 2]);
    expect(u.read(5, 1) & 1).toBe(0);
  });

  it('raises the receive interrupt only when enabled, before the THR-empty one', () => {
    const u = new Uart(() => {});
    u.receive(Uint8Array.of(9));
    expect(u.interruptLine()).toBe(false);
    u.write(1, 1, 0x3);
    expect(u.read(2, 1) & 0x0f).toBe(0x04);
    u.read(0, 1);
    // THRE was owed since ETBEI was enabled; reading IIR that reports it clears it.
    expect(u.read(2, 1) & 0x0f).toBe(0x02);
    expect(u.read(2, 1) & 0x0f).toBe(0x01);
    expect(u.interruptLine()).toBe(false);
    u.write(0, 1, 0x42);
    expect(u.interruptLine()).toBe(true);
  });

  it('uses DLL/DLM while DLAB is set and loops bytes back in loopback mode', () => {
    const sent: number[] = [];
    const u = new Uart((b) => sent.push(b));
    u.write(3, 1, 0x80);
    u.write(0, 1, 0x12);
    u.write(1, 1, 0x34);
    expect([u.read(0, 1), u.read(1, 1)]).toEqual([0x12, 0x34]);
    u.write(3, 1, 0x03);
    u.write(4, 1, 0x10);
    u.write(0, 1, 0x55);
    expect(sent).toEqual([]);
    expect(u.read(0, 1)).toBe(0x55);
  });
});
