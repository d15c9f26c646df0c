#!/bin/sh
# The benchmark side by side for several Debian releases: each release's
# plugin against that release's own built-in driver, from the raw run lines
# (bench/run.sh --tsv) that scripts/release-matrix.sh keeps per release when
# MATRIX_BENCH=1.
#
#   bench/releases.sh [--update-doc FILE] LABEL=TSV...
# LABEL names the release in the table's header (e.g. "trixie, OpenSC
# 0.26.1"). Prints a Markdown table: per workload and extended-length setting
# (0 ms latency), APDUs and median milliseconds, plugin / built-in, one column
# pair per release. --update-doc FILE (doc/benchmark.md) puts it between
# FILE's <!-- bench-releases --> and <!-- /bench-releases --> lines.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
doc_file=""
[ "${1:-}" != --update-doc ] || { doc_file=$2; shift 2; }
[ $# -gt 0 ] || { echo "usage: releases.sh [--update-doc FILE] LABEL=TSV..." >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-bench-releases.XXXXXX")
trap 'rm -rf "$work"' EXIT

n=0
header="| workload | ext. length |"
rule="|---|:---:|"
for arg in "$@"; do
	n=$((n + 1))
	[ -s "${arg#*=}" ] || { echo "releases.sh: no run lines in ${arg#*=}" >&2; exit 1; }
	awk -f "$here/report.awk" -v mode=brief "${arg#*=}" | awk -F '\t' '$2 == 0' >"$work/$n"
	header="$header ${arg%%=*}: APDUs plugin / built-in | ms plugin / built-in |"
	rule="$rule---:|---:|"
done
{
	echo "$header"
	echo "$rule"
	# The rows of the first release, in its order; the others joined by workload and setting.
	while IFS="$(printf '\t')" read -r title latency ext _; do
		row="| $title | $ext |"
		i=0
		while [ "$i" -lt "$n" ]; do
			i=$((i + 1))
			cells=$(awk -F '\t' -v t="$title" -v e="$ext" '$1 == t && $3 == e { print $4 " / " $5 "\t" $6 " / " $7 }' "$work/$i")
			[ -n "$cells" ] || cells="— / —	— / —"
			row="$row ${cells%%	*} | ${cells#*	} |"
		done
		echo "$row"
	done <"$work/1"
} >"$work/table.md"

if [ -z "$doc_file" ]; then
	cat "$work/table.md"
	exit 0
fi
grep -q '^<!-- bench-releases -->$' "$doc_file" && grep -q '^<!-- /bench-releases -->$' "$doc_file" ||
	{ echo "releases.sh: $doc_file has no <!-- bench-releases --> block" >&2; exit 1; }
awk -v table="$work/table.md" '
	/^<!-- bench-releases -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/^<!-- \/bench-releases -->$/ { skip = 0 }
	!skip' "$doc_file" >"$work/doc" && cat "$work/doc" >"$doc_file"
