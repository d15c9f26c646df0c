#!/bin/sh
# The benchmark as a regression guard: every workload once at 0 ms latency,
# extended length on and off, then the targets of issue #6 are asserted:
# - `pkcs15-tool --dump` with the plugin: at most 20 APDUs with extended length,
#   24 without, and at most 0.30 of the built-in driver's count;
# - the plugin, not a built-in driver, bound the card;
# - in every plugin run: no file read twice, no APDU answered 6A82 (a probe for
#   something the card does not have), no card reset.
# APDU counts are deterministic; wall times are never asserted.
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
