#!/bin/sh
# pcsc-race.sh [SECONDS]: does this system's pcsc-lite answer a status query
# about a present reader with an error while other clients start and stop?
# (tests/harness/pcsc-status-probe.c says what that does to OpenSC.)
#
# In a private pcscd with the virtual card (with-card.sh, OpenSC's built-in
# configuration), three pcsc-status-probe run side by side while opensc-tool
# and pkcs11-tool take the card and let go of it, over and over, for at most
# SECONDS (default 30); it stops at the first wrong answer. On sid's 2.5.3 the
# first came within 4 to 7 s in each of 4 runs. Prints one line.
# Exit status: 0 a wrong answer was seen, 1 none, 2 the probe could not run.
# Run from the build directory (top_builddir), as root.
set -u
me=pcsc-race
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
export top_srcdir top_builddir

if [ "${1:-}" = "--inside" ]; then
	seconds=$2 out=$3 probe=$4
	pids=""
	for i in 1 2 3; do
		"$probe" "$seconds" >"$out/probe.$i" 2>&1 &
		pids="$pids $!"
	done
	running() {
		for pid in $pids; do
			kill -0 "$pid" 2>/dev/null && return 0
		done
		return 1
	}
	while running && ! grep -qs '^poll ' "$out"/probe.*; do
		# Two kinds of client: one that only connects, one that also
		# enumerates and polls (opensc-pkcs11's C_Initialize).
		opensc-tool --atr >/dev/null 2>&1 || true
		pkcs11-tool --list-slots >/dev/null 2>&1 || true
	done
	for pid in $pids; do
		kill "$pid" 2>/dev/null || true
	done
	wait
	exit 0
fi

seconds=${1:-30}
probe=$top_builddir/tests/harness/pcsc-status-probe
if [ ! -x "$probe" ]; then
	echo "$me: no $probe (make check builds it)"
	exit 2
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/pcsc-race.XXXXXX")
trap 'rm -rf "$out"' EXIT
if ! sh "$here/with-card.sh" --conf builtin -- sh "$here/pcsc-race.sh" --inside "$seconds" "$out" "$probe" \
	>"$out/harness.log" 2>&1; then
	echo "$me: the harness failed: $(tail -n 1 "$out/harness.log")"
	exit 2
fi
pcscd=${PCSCD:-$(PATH=$PATH:/usr/sbin:/sbin command -v pcscd)}
version=$("$pcscd" --version 2>/dev/null | sed -n 's/^pcsc-lite version \([0-9.]*[0-9]\).*/\1/p' | head -n 1)
seen=$(grep -h '^poll ' "$out"/probe.* | head -n 1)
if [ -n "$seen" ]; then
	echo "pcsc-lite ${version:-?} gives wrong status answers while other clients start and stop: $seen"
	exit 0
fi
# Each probe must have run to its end and said so: an empty or other answer
# (a crash, no reader) tells nothing.
for f in "$out"/probe.1 "$out"/probe.2 "$out"/probe.3; do
	if ! grep -q ' polls of ' "$f" 2>/dev/null; then
		echo "$me: a probe did not run to its end: $(head -n 1 "$f" 2>/dev/null)"
		exit 2
	fi
done
echo "pcsc-lite ${version:-?}: no wrong status answer in ${seconds} s ($(sed -n 's/ polls of.*//p' "$out/probe.1") polls by the first of 3 probes)"
exit 1
