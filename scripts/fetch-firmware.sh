#!/usr/bin/env bash
# Fetches Debian's OpenSBI and U-Boot (qemu-riscv64) packages into .cache/firmware with apt-get download and dpkg -x.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FIRMWARE_CACHE:-$ROOT/.cache/firmware}"
ROOTFS="$CACHE/root"
PACKAGES=(opensbi u-boot-qemu)

FW_JUMP="$ROOTFS/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
UBOOT_SMODE="$ROOTFS/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
UBOOT_MMODE="$ROOTFS/usr/lib/u-boot/qemu-riscv64/u-boot.bin"

print_paths() {
  echo "fw_jump.bin (OpenSBI, generic):  $FW_JUMP"
  echo "u-boot.bin (S-mode, payload):    $UBOOT_SMODE"
  echo "u-boot.bin (M-mode, as -bios):   $UBOOT_MMODE"
}

if [[ -f "$FW_JUMP" && -f "$UBOOT_SMODE" && -f "$UBOOT_MMODE" ]]; then
  echo "Firmware already in $CACHE; nothing to fetch."
  print_paths
  exit 0
fi

for tool in apt-get dpkg; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-firmware: '$tool' is not available; this script needs a Debian-based system (Debian 12 has opensbi 1.1 and u-boot-qemu 2023.01)." >&2
    echo "fetch-firmware: the firmware boot tests will report that they were not run." >&2
    exit 1
  fi
done

DOWNLOADS="$CACHE/debs"
mkdir -p "$DOWNLOADS" "$ROOTFS"
for pkg in "${PACKAGES[@]}"; do
  if ! ls "$DOWNLOADS/${pkg}"_*.deb >/dev/null 2>&1; then
    echo "Downloading $pkg ..."
    # apt-get download writes into the current directory and needs no root.
    if ! (cd "$DOWNLOADS" && apt-get download "$pkg"); then
      echo "fetch-firmware: 'apt-get download $pkg' failed. Is the package list current ('sudo apt-get update') and the archive reachable?" >&2
      exit 1
    fi
  fi
  for deb in "$DOWNLOADS/${pkg}"_*.deb; do
    dpkg -x "$deb" "$ROOTFS" || { echo "fetch-firmware: 'dpkg -x $deb' failed." >&2; exit 1; }
  done
done

missing=0
for f in "$FW_JUMP" "$UBOOT_SMODE" "$UBOOT_MMODE"; do
  if [[ ! -f "$f" ]]; then
    echo "fetch-firmware: expected $f in the unpacked packages but it is not there." >&2
    missing=1
  fi
done
[[ $missing -eq 0 ]] || exit 1

for deb in "$DOWNLOADS"/*.deb; do echo "Unpacked $(basename "$deb")"; done
print_paths
