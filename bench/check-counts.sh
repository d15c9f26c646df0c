#!/bin/sh
# The benchmark as a regression guard: every workload once at 0 ms latency,
# extended length on (card and reader) and off (short-only card, default
# reader), then the targets of issue #6 are asserted:
# - `pkcs15-tool --dump` with the plugin: at most 20 APDUs with extended length,
#   24 without, and at most 0.30 of the built-in driver's count with extended
#   length (without, the ratio is printed, not asserted: see below);
# - the plugin, not a built-in driver, bound the card;
# - in every plugin run: no file read twice, no APDU answered 6A82 (a probe for
#   something the card does not have), no card reset.
# APDU counts are deterministic; wall times are never asserted.
#
# Why the 0.30 ratio cannot hold with short APDUs (the project lead's decision
# to assert it with extended length only; the arithmetic, for the benchmark's
# synthetic card, whose certificates are 1326-1333 (000A, with the generated
# name), 928 (000B) and 924 (0002) bytes; a real card's 1583-byte certificate
# needs one READ more):
#   every byte of the three public certificates must cross the link, since the
#   dump prints each one's serial and nothing may be cached across processes:
#   ceil(1333/256) + ceil(928/256) + ceil(924/256) = 6 + 4 + 4 = 14 READ BINARY
#   (the first of each by short EF identifier, so no SELECT of the EF)
#   + 1 SELECT of the JPKI AP + 1 READ of EF 0006 (what tells the card apart)
#   + 2 x (SELECT PIN EF + no-data VERIFY) for the real tries issue #4 wants
#   = 20 APDUs at the least; 0.30 x 57 (the built-in's count) = 17.1.
# Without the tries it would be 16: the ratio is out of reach only because of
# what issue #4 requires. With extended length the dump takes 9 (0.16).
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
awk -f "$here/report.awk" -v mode=check -v expected_driver=mynumber "$work/runs.tsv" || status=1
awk -f "$here/trace-check.awk" -v mode=check "$work/runs.tsv" "$work/runs.apdus" || status=1
exit $status
