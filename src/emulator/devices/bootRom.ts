// Read-only boot information at 0x1000, as QEMU virt's mask ROM holds it: OpenSBI's fw_dynamic_info.
//
// The hart starts directly at the image entry with the registers QEMU's reset vector would have set
// (a0 = hart id, a1 = device tree, a2 = this structure, t0 = entry), so only the data part is modelled.
import type { MmioDevice } from '../bus.ts';

export const BOOT_ROM_BASE = 0x1000;
export const BOOT_ROM_SIZE = 0x1000;
/** Offset of fw_dynamic_info, after QEMU's 40-byte reset vector. */
export const FW_DYNAMIC_INFO_OFFSET = 0x28;

/** OpenSBI include/sbi/fw_dynamic.h: magic "OSBI", version 2, next stage in S-mode. */
const FW_DYNAMIC_INFO_MAGIC = 0x4942534f;
const FW_DYNAMIC_INFO_VERSION = 2;
const NEXT_MODE_S = 1;

export class BootRom implements MmioDevice {
  readonly name = 'rom';
  private readonly bytes = new Uint8Array(BOOT_ROM_SIZE);

  constructor(nextAddress: number, bootHart: number) {
    const dv = new DataView(this.bytes.buffer);
    const fields = [FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, nextAddress, NEXT_MODE_S, 0, bootHart];
    fields.forEach((v, i) => dv.setBigUint64(FW_DYNAMIC_INFO_OFFSET + 8 * i, BigInt(v), true));
  }

  read(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.bytes[offset + i];
    return v;
  }

  write(_offset: number, _size: number, _value: number): void {
    // Read-only: writes are ignored, as on QEMU's mask ROM.
  }
}
