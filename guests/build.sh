#!/usr/bin/env bash
# Builds the guest OS, its user programs and the CPU benchmark into public/guests (or $1),
# with a manifest. Reproducible: fixed flags, sorted inputs, no paths or timestamps in outputs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/public/guests}
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)
CROSS=${CROSS:-riscv64-unknown-elf-}
CC=${CROSS}gcc
export LC_ALL=C TZ=UTC

if ! command -v "$CC" >/dev/null; then
	echo "build.sh: $CC not found; install gcc-riscv64-unknown-elf (apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)" >&2
	exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

# RV64IMAC + Zicsr + Zifencei, no floating point: the machine has no F/D.
CFLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -std=c11
	-ffreestanding -fno-common -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables
	-fno-tree-loop-distribute-patterns -Wall -Wextra -Werror
	"-ffile-prefix-map=$ROOT/=" "-ffile-prefix-map=$WORK/=")
LDFLAGS=(-nostdlib -static -Wl,--build-id=none)

# link OUTPUT LINKER_SCRIPT EXTRA_FLAGS... -- SOURCES...
link() {
	local output=$1 script=$2
	shift 2
	local extra=()
	while [[ $1 != -- ]]; do
		extra+=("$1")
		shift
	done
	shift
	"$CC" "${CFLAGS[@]}" "${extra[@]}" "${LDFLAGS[@]}" -T "$script" -o "$output" "$@" -lgcc
}

COMMON=(guests/common/format.c guests/common/string.c)
PROGRAMS=(buggy hog life mandelbrot primes sort)

mkdir -p "$WORK/programs"
for name in "${PROGRAMS[@]}"; do
	link "$WORK/programs/$name.elf" guests/user/user.ld -- \
		guests/user/crt0.S guests/user/ulib.c "${COMMON[@]}" "guests/user/$name.c"
done

mapfile -t OS_SOURCES < <(ls guests/os/*.c guests/os/*.S | sort)
link "$WORK/os.elf" guests/os/os.ld "-Wa,-I$WORK/programs" -- "${OS_SOURCES[@]}" "${COMMON[@]}"

# BENCH_EXTRA adds compiler flags for experiments, e.g. -DBENCH_REPORT_INSTRET (build elsewhere).
link "$WORK/bench.elf" guests/bench/bench.ld ${BENCH_EXTRA:-} -- \
	guests/bench/start.S guests/bench/bench.c guests/bench/workloads.c "${COMMON[@]}"

link "$WORK/busy.elf" guests/bench/bench.ld -- \
	guests/bench/start.S guests/busy/busy.c guests/bench/workloads.c "${COMMON[@]}"

mkdir -p "$OUT/programs"
cp "$WORK/os.elf" "$WORK/bench.elf" "$WORK/busy.elf" "$OUT/"
for name in "${PROGRAMS[@]}"; do
	cp "$WORK/programs/$name.elf" "$OUT/programs/"
done
bash guests/manifest.sh "$OUT" >"$OUT/manifest.json"
echo "build.sh: wrote $(cd "$OUT" && ls os.elf bench.elf busy.elf programs/*.elf manifest.json | tr '\n' ' ')into $OUT"
