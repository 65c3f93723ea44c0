#!/usr/bin/env bash
# Rebuilds the guests into a temporary directory and fails if any byte differs from public/guests.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMITTED=$ROOT/public/guests
FRESH=$(mktemp -d)
trap 'rm -rf "$FRESH"' EXIT

bash "$ROOT/guests/build.sh" "$FRESH" >/dev/null

status=0
while IFS= read -r file; do
	if [[ ! -f $COMMITTED/$file ]]; then
		echo "check-reproducible: $file is built but not committed in public/guests" >&2
		status=1
	elif ! cmp -s "$FRESH/$file" "$COMMITTED/$file"; then
		echo "check-reproducible: public/guests/$file differs from a fresh build (run 'npm run build:guests' and commit)" >&2
		status=1
	fi
done < <(cd "$FRESH" && find . -type f -printf '%P\n' | sort)
while IFS= read -r file; do
	if [[ ! -f $FRESH/$file && $file == *.elf ]]; then
		echo "check-reproducible: public/guests/$file is committed but no longer built" >&2
		status=1
	fi
done < <(cd "$COMMITTED" && find . -type f -printf '%P\n' | sort)

if [[ $status -eq 0 ]]; then
	echo "check-reproducible: public/guests matches a fresh build byte for byte"
fi
exit $status
