// Where scripts/fetch-firmware.sh unpacks Debian's OpenSBI and U-Boot, and whether they are there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LIB = fileURLToPath(new URL('../../.cache/firmware/root/usr/lib/', import.meta.url));

export const FIRMWARE = {
  fwJump: `${LIB}riscv64-linux-gnu/opensbi/generic/fw_jump.bin`,
  fwDynamic: `${LIB}riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin`,
  ubootSmode: `${LIB}u-boot/qemu-riscv64_smode/u-boot.bin`,
  ubootMmode: `${LIB}u-boot/qemu-riscv64/u-boot.bin`,
} as const;

export const FIRMWARE_MISSING = 'firmware not fetched: run npm run fetch-firmware';

/**
 * True when every firmware file is there. In CI the firmware must be there: a missing cache fails
 * the run instead of skipping the tests that need it.
 */
export function firmwarePresent(): boolean {
  const present = Object.values(FIRMWARE).every((f) => existsSync(f));
  if (!present && process.env.CI) throw new Error(`CI must run the real-firmware tests, but ${FIRMWARE_MISSING}.`);
  if (!present) console.warn(`\n*** Real-firmware boot tests NOT RUN: ${FIRMWARE_MISSING} ***\n`);
  return present;
}
