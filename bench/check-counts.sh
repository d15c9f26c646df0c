#!/bin/sh
# The benchmark as a regression guard: every workload once at 0 ms latency,
# extended length on (card and reader) and off (short-only card, default
# reader), then the targets of issue #6 are asserted:
# - `pkcs15-tool --dump` with the plugin: at most 11 APDUs with extended length
#   and short-EF-id reads, 26 on a card with short APDUs only and no short-EF-id
#   reads (one more per PIN where the release's pkcs15-tool asks the tries
#   itself, OpenSC 0.26 on), and at most 0.30 of the built-in driver's count
#   with extended length;
# - 20 x C_Sign through opensc-pkcs11 with extended length: at most 70 APDUs;
# - the plugin, not a built-in driver, bound the card;
# - in every plugin run: no file read twice, no APDU answered 6A82 (a probe for
#   something the card does not have), no card reset.
# APDU counts are deterministic; wall times are never asserted.
#
# What correctness costs (issue #10): the card is shared, so every reader
# transaction confirms the application before it acts (a SELECT of the AID, or
# with a PIN of this process to keep, a 64-byte read-back of EF 000A). The
# dump is three transactions (connect, bind; pkcs15-tool takes no lock of its
# own), one C_Sign one transaction: SELECT or read-back, SELECT of the key EF,
# COMPUTE DIGITAL SIGNATURE. With short APDUs and no short-EF-id reads the dump
# is 4 (connect: SELECT AID, refused READ by SFI, SELECT + READ 0006) + 1
# (SELECT AID) + 3 x SELECT + 14 READs (the three public certificates, 1326-1333,
# 928 and 924 bytes in 256-byte pieces) + 4 (SELECT + no-data VERIFY per PIN,
# the real tries issue #4 wants) = 26.
#
#   bench/check-counts.sh [--builddir DIR]
# Exit 0 when every target is met, 1 otherwise; the figures go to stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-bench-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# A failed session still leaves the lines of its other runs, and a failed run
# is a miss below, so run.sh's own status adds nothing here.
sh "$here/run.sh" --quick "$@" --tsv "$work/runs.tsv" --apdus "$work/runs.apdus" >"$work/report.md" || true
cat "$work/report.md"
echo
[ -s "$work/runs.tsv" ] || { echo "check-counts: the benchmark produced no runs" >&2; exit 1; }
status=0
# From OpenSC 0.26 pkcs15-tool asks each PIN's tries itself, in a transaction
# of its own: 3 APDUs where the bind's query took 2. The build's config.h says
# whether this release's tool does (configure read the tool's source).
builddir=${top_builddir:-.}
[ "${1:-}" != --builddir ] || builddir=$2
tool_pins=0
grep -q '^#define HAVE_OPENSC_TOOL_ASKS_PIN_INFO 1' "$builddir/config.h" 2>/dev/null && tool_pins=2
awk -f "$here/report.awk" -v mode=check -v expected_driver=mynumber -v tool_pin_queries="$tool_pins" "$work/runs.tsv" || status=1
awk -f "$here/trace-check.awk" -v mode=check "$work/runs.tsv" "$work/runs.apdus" || status=1
exit $status
