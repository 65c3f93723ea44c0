// NS16550A UART: transmit is immediate, receive goes through a FIFO fed by recorded input, with interrupts.
import type { MmioDevice } from '../bus.ts';

const IER_RDA = 0x1;
const IER_THRE = 0x2;
const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;

export class Uart implements MmioDevice {
  readonly name = 'uart';
  /** Bytes received and not yet read by the guest. Unbounded so that no typed byte is ever dropped. */
  private rx: number[] = [];
  private rxHead = 0;
  ier = 0;
  lcr = 0;
  mcr = 0;
  fcr = 0;
  scr = 0;
  dll = 0;
  dlm = 0;
  /** A THR-empty interrupt is owed to the guest (16550 data sheet: set on THR empty, cleared by reading IIR or writing THR). */
  thrPending = false;

  constructor(private readonly transmit: (byte: number) => void) {}

  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.rx.push(b);
  }

  get rxCount(): number {
    return this.rx.length - this.rxHead;
  }

  /** The level of the interrupt line towards the PLIC. */
  interruptLine(): boolean {
    return this.iir() !== 0x01;
  }

  private iir(): number {
    if ((this.ier & IER_RDA) !== 0 && this.rxCount > 0) return 0x04;
    if ((this.ier & IER_THRE) !== 0 && this.thrPending) return 0x02;
    return 0x01;
  }

  readHasEffects(offset: number): boolean {
    return offset === 2 || (offset === 0 && (this.lcr & LCR_DLAB) === 0);
  }

  read(offset: number, _size: number): number {
    switch (offset) {
      case 0:
        if ((this.lcr & LCR_DLAB) !== 0) return this.dll;
        return this.pop();
      case 1:
        return (this.lcr & LCR_DLAB) !== 0 ? this.dlm : this.ier;
      case 2: {
        const iir = this.iir();
        if (iir === 0x02) this.thrPending = false;
        return iir | ((this.fcr & 1) !== 0 ? 0xc0 : 0);
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        return (this.rxCount > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
      case 6:
        // In loopback the modem inputs follow the outputs (CTS<-RTS, DSR<-DTR, RI<-OUT1, DCD<-OUT2).
        if ((this.mcr & MCR_LOOP) !== 0) {
          const m = this.mcr;
          return ((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4);
        }
        return 0xb0;
      case 7:
        return this.scr;
      default:
        return 0;
    }
  }

  private pop(): number {
    if (this.rxCount === 0) return 0;
    const b = this.rx[this.rxHead++];
    if (this.rxHead > 4096 && this.rxHead * 2 > this.rx.length) {
      this.rx = this.rx.slice(this.rxHead);
      this.rxHead = 0;
    }
    return b;
  }

  write(offset: number, _size: number, value: number): void {
    value &= 0xff;
    switch (offset) {
      case 0:
        if ((this.lcr & LCR_DLAB) !== 0) {
          this.dll = value;
        } else {
          // Loopback sends the byte to our own receiver instead of the line.
          if ((this.mcr & MCR_LOOP) !== 0) this.rx.push(value);
          else this.transmit(value);
          this.thrPending = true;
        }
        return;
      case 1:
        if ((this.lcr & LCR_DLAB) !== 0) {
          this.dlm = value;
        } else {
          const enablingThre = (value & IER_THRE) !== 0 && (this.ier & IER_THRE) === 0;
          this.ier = value & 0x0f;
          if (enablingThre) this.thrPending = true;
        }
        return;
      case 2:
        this.fcr = value & 0xc9;
        if ((value & 0x02) !== 0) {
          this.rx = [];
          this.rxHead = 0;
        }
        return;
      case 3:
        this.lcr = value;
        return;
      case 4:
        this.mcr = value & 0x1f;
        return;
      case 7:
        this.scr = value;
        return;
      default:
        return;
    }
  }

  /** Registers, then the bytes waiting in the receive FIFO. */
  state(): number[] {
    return [this.ier, this.lcr, this.mcr, this.fcr, this.scr, this.dll, this.dlm, this.thrPending ? 1 : 0, ...this.rx.slice(this.rxHead)];
  }

  restoreState(words: readonly number[]): void {
    [this.ier, this.lcr, this.mcr, this.fcr, this.scr, this.dll, this.dlm] = words;
    this.thrPending = words[7] === 1;
    this.rx = words.slice(8);
    this.rxHead = 0;
  }
}
