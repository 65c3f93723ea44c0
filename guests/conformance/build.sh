#!/usr/bin/env bash
# Builds the conformance programs with Debian's RISC-V cross toolchain and, where QEMU is installed, records their console output on QEMU virt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

CC="${RISCV_PREFIX:-riscv64-unknown-elf-}gcc"
QEMU="${QEMU:-qemu-system-riscv64}"
FLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -Wa,-mpriv-spec=1.12 -nostdlib -nostartfiles -static
       -Wl,--no-relax -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$PWD/common/link.ld" -I "$PWD/common")

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (Debian: gcc-riscv64-unknown-elf)" >&2; exit 1; }
mkdir -p bin expected

programs=("$@")
if [[ ${#programs[@]} -eq 0 ]]; then
  for src in *.S; do programs+=("${src%.S}"); done
fi

# Objects get stable names (the linker records them in the symbol table), so builds are reproducible.
OBJ="$(mktemp -d)"
trap 'rm -rf "$OBJ"' EXIT
build() { # build OUTPUT SOURCE [extra flags]
  local out="$1" src="$2"
  shift 2
  "$CC" "${FLAGS[@]}" "$@" -c common/harness.S -o "$OBJ/harness.o"
  "$CC" "${FLAGS[@]}" "$@" -c "$src" -o "$OBJ/$(basename "${src%.S}").o"
  (cd "$OBJ" && "$CC" "${FLAGS[@]}" -o program.elf harness.o "$(basename "${src%.S}").o")
  mv "$OBJ/program.elf" "$out"
}

status=0
for name in "${programs[@]}"; do
  build "bin/$name.elf" "$name.S"
  if command -v "$QEMU" >/dev/null; then
    # The console output on QEMU is the reference the emulator's output is compared with; -icount makes its counters count instructions.
    set +e
    timeout 20 "$QEMU" -machine virt -icount shift=0 -nographic -bios "bin/$name.elf" -monitor none -serial stdio \
      </dev/null >"expected/$name.txt" 2>"bin/$name.qemu-stderr"
    rc=$?
    set -e
    rm -f "bin/$name.qemu-stderr"
    if [[ $rc -eq 0 ]] && tail -n 1 "expected/$name.txt" | grep -q '^PASS$'; then
      echo "$name: built, passes on QEMU"
    else
      echo "$name: built, FAILS on QEMU (exit $rc):" >&2
      tail -n 5 "expected/$name.txt" >&2
      status=1
    fi
  else
    echo "$name: built ($QEMU not installed, expected output not recorded)"
  fi
done
# HTIF programs (tohost/fromhost) need a host that implements HTIF, which QEMU's virt board does not.
if [[ $# -eq 0 ]]; then
  for src in htif/*.S; do
    name="$(basename "${src%.S}")"
    build "bin/htif-$name.elf" "$src" -I "$PWD/htif"
    echo "htif-$name: built (HTIF, not run on QEMU)"
  done
fi
exit $status
