#!/bin/sh
# The benchmark as a regression guard: every workload once at 0 ms latency,
# extended length on and off, then the APDU targets of issue #6 for
# `pkcs15-tool --dump` are asserted (at most 20 APDUs with extended length, 24
# without, at most 0.30 of the built-in driver's count). APDU counts are
# deterministic; wall times are never asserted.
#
#   bench/check-counts.sh [--builddir DIR]
# Exit 0 when every target is met, 1 otherwise; the measured figures go to stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-bench-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Runs of the sessions that fail still leave lines to judge; the check below
# turns a failed run into a miss, so run.sh's own status is not needed here.
sh "$here/run.sh" --quick "$@" --tsv "$work/runs.tsv" >"$work/report.md" || true
[ -s "$work/runs.tsv" ] || { cat "$work/report.md"; echo "check-counts: the benchmark produced no runs" >&2; exit 1; }
cat "$work/report.md"
echo
awk -f "$here/report.awk" -v mode=check -v expected_driver=mynumber "$work/runs.tsv"
