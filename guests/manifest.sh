#!/usr/bin/env bash
# Prints public/guests/manifest.json for the images in directory $1 (called by build.sh).
set -euo pipefail
DIR=$1

entry() {
	# entry FILE NAME KIND DESCRIPTION [EXTRA_JSON]
	local file=$1 name=$2 kind=$3 description=$4 extra=${5:-}
	local size sha
	size=$(stat -c %s "$DIR/$file")
	sha=$(sha256sum "$DIR/$file" | cut -d' ' -f1)
	printf '    {\n      "name": "%s",\n      "kind": "%s",\n      "description": "%s",\n      "file": "%s",\n      "size": %s,\n      "sha256": "%s"%s\n    }' \
		"$name" "$kind" "$description" "$file" "$size" "$sha" "$extra"
}

# name|description|the last line it prints (a regular expression for --until)
PROGRAMS=(
	"primes|Counts primes below 10000 with a sieve and prints the small ones.|primes: 1229 primes below 10000, the largest is 9973"
	"mandelbrot|Draws the Mandelbrot set in ASCII with fixed-point arithmetic.|mandelbrot: done, [0-9]+ of [0-9]+ cells inside"
	"life|Conway's Game of Life on a 48x18 torus, animated with ANSI codes for 60 generations.|life: 60 generations on a 48x18 torus, [0-9]+ cells alive at the end"
	"sort|An insertion sort of 16 values, one line per step.|sort: 16 values in order after [0-9]+ moves, checksum [0-9a-f]{8}"
	"hog|Takes heap pages until the kernel refuses; each first touch is a page fault.|hog: exiting returns every page to the kernel"
	"buggy|Corrupts a pointer with an off-by-one store, then crashes on it: a load page fault to hunt with a watchpoint and reverse-continue.|\\\\[kernel\\\\] buggy: load page fault at 0x0000000000000539 \\\\(pc 0x[0-9a-f]{16}\\\\), killed"
)

program_list=""
for p in "${PROGRAMS[@]}"; do
	IFS='|' read -r name description until <<<"$p"
	[[ -n $program_list ]] && program_list+=","
	program_list+=$'\n'"        { \"name\": \"$name\", \"command\": \"run $name\", \"until\": \"$until\" }"
done

printf '{\n  "images": [\n'
entry os.elf os os "VM Playground OS: a small RV64 kernel (M-mode) with a shell and U-mode programs on Sv39." \
	$',\n      "prompt": "$ ",\n      "programs": ['"$program_list"$'\n      ]'
printf ',\n'
entry bench.elf bench bare-metal "CPU benchmark: linked lists, matrix multiply, a lexer state machine and CRC-32; prints a checksum and powers off." \
	$',\n      "until": "bench: done, checksum [0-9a-f]{16}"'
printf ',\n'
entry busy.elf busy bare-metal "A busy guest: the benchmark's workloads round after round, a console line per round, a 100 Hz timer interrupt; runs until stopped (bench/travel records it)."
for p in "${PROGRAMS[@]}"; do
	IFS='|' read -r name description until <<<"$p"
	printf ',\n'
	entry "programs/$name.elf" "$name" os-program "$description (Runs inside the OS; this file is for its symbols.)"
done
printf '\n  ]\n}\n'
