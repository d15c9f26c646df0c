#!/bin/sh
# Runs every fuzz target built in a build directory for SECONDS each, with its
# seed corpus when one exists (fuzz/corpus/<name without fuzz_>/ in the source
# tree). Builds nothing. Fails on the first crash, leak or timeout; the
# reproducer stays in ARTIFACTS (default: BUILDDIR/fuzz/artifacts/).
#
#   run-fuzzers.sh SECONDS [BUILDDIR] [ARTIFACTS]
#
# BUILDDIR defaults to $top_builddir, else the current directory; it must have
# been configured with --enable-fuzzing CC=clang.
set -eu
seconds=${1:?usage: run-fuzzers.sh SECONDS [BUILDDIR] [ARTIFACTS]}
builddir=${2:-${top_builddir:-.}}
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
artifacts=${3:-$builddir/fuzz/artifacts}

case "$seconds" in
	''|*[!0-9]*) echo "run-fuzzers.sh: SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac

targets=""
for f in "$builddir"/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	case "$f" in *.o|*.c|*.log|*.trs) continue ;; esac
	targets="$targets $f"
done
if [ -z "$targets" ]; then
	echo "run-fuzzers.sh: no fuzz targets in $builddir/fuzz (configure --enable-fuzzing CC=clang, then make)" >&2
	exit 2
fi

mkdir -p "$artifacts"
failed=0
for target in $targets; do
	name=$(basename "$target")
	seeds="$srcdir/fuzz/corpus/${name#fuzz_}"
	# libFuzzer adds what it finds to the first corpus directory: a scratch
	# copy keeps the committed seeds as they are.
	work=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzzers.XXXXXX")
	[ ! -d "$seeds" ] || cp -R "$seeds"/. "$work"/
	echo "run-fuzzers.sh: $name for ${seconds}s ($(ls "$work" | wc -l) seeds)"
	if "$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work" \
		>"$artifacts/$name.log" 2>&1; then
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$artifacts/$name.log" | sed 's/^/  /' || true
	else
		echo "run-fuzzers.sh: $name FAILED; log $artifacts/$name.log, reproducer(s):" >&2
		ls "$artifacts"/"$name"-* 2>/dev/null | sed 's/^/  /' >&2 || true
		tail -n 40 "$artifacts/$name.log" >&2
		failed=1
	fi
	rm -rf "$work"
done
exit $failed
