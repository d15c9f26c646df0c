#!/bin/sh
# apt-get update, for install-deps.sh, fetch-opensc-src.sh and demo.sh.
#   apt-update.sh [--if-stale]   --if-stale: nothing to do when the package lists
#                                are less than an hour old
# A dated copy of an archive (sid's index here) has an expired Release file,
# which apt refuses; only then is the update repeated without that check, and
# said so on stderr.
set -eu
lists=/var/lib/apt/lists
# The lists directory's own time, not the files': apt dates each file as the
# server does, and a dated archive copy would then always look stale.
if [ "${1:-}" = --if-stale ] && [ -n "$(find "$lists" -maxdepth 0 -mmin -60 2>/dev/null)" ] &&
	[ -n "$(find "$lists" -maxdepth 1 -name '*Release' 2>/dev/null | head -n 1)" ]; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "apt-update: apt-get update needs root" >&2; exit 1; }
echo "apt-update: apt-get update" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
apt-get update -q > "$log" 2>&1 || rc=$?
if grep -q 'is expired\|is not valid yet' "$log"; then
	echo "apt-update: an apt index is a dated copy (its Release file has expired); updating again with Acquire::Check-Valid-Until=false" >&2
	rc=0
	apt-get update -q -o Acquire::Check-Valid-Until=false > "$log" 2>&1 || rc=$?
fi
# apt-get update exits 0 even when some sources failed: its E: lines tell.
if [ "$rc" -ne 0 ] || grep -q '^E:' "$log"; then
	grep '^[EW]:' "$log" >&2 || tail -n 20 "$log" >&2
	exit 1
fi
