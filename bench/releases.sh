#!/bin/sh
# The benchmark side by side for several Debian releases: each release's
# plugin against that release's own built-in driver, from the raw run lines
# (bench/run.sh --tsv) that scripts/release-matrix.sh keeps per release when
# MATRIX_BENCH=1.
#
#   bench/releases.sh [--apdus] [--block NAME] [--update-doc FILE] LABEL=TSV...
# LABEL names the release in the table's header (e.g. "trixie, OpenSC
# 0.26.1"). Prints a Markdown table: per workload and extended-length setting
# (0 ms latency), APDUs and median milliseconds, plugin / built-in, one column
# pair per release; with --apdus the APDU counts alone, one column per release
# (for many releases: counts are exact, times of runs in different chroots
# are not comparable anyway). --update-doc FILE (doc/benchmark.md) puts it
# between FILE's <!-- NAME --> and <!-- /NAME --> lines (NAME: --block,
# default bench-releases).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
doc_file=""
block=bench-releases
apdus_only=no
while [ $# -gt 0 ]; do
	case "$1" in
		--apdus) apdus_only=yes; shift ;;
		--block) block=$2; shift 2 ;;
		--update-doc) doc_file=$2; shift 2 ;;
		*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: releases.sh [--apdus] [--block NAME] [--update-doc FILE] LABEL=TSV..." >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-bench-releases.XXXXXX")
trap 'rm -rf "$work"' EXIT

n=0
header="| workload | ext. length |"
rule="|---|:---:|"
for arg in "$@"; do
	n=$((n + 1))
	[ -s "${arg#*=}" ] || { echo "releases.sh: no run lines in ${arg#*=}" >&2; exit 1; }
	awk -f "$here/report.awk" -v mode=brief "${arg#*=}" | awk -F '\t' '$2 == 0' >"$work/$n"
	if [ "$apdus_only" = yes ]; then
		header="$header ${arg%%=*} |"
		rule="$rule---:|"
	else
		header="$header ${arg%%=*}: APDUs plugin / built-in | ms plugin / built-in |"
		rule="$rule---:|---:|"
	fi
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
			if [ "$apdus_only" = yes ]; then row="$row ${cells%%	*} |"
			else row="$row ${cells%%	*} | ${cells#*	} |"; fi
		done
		echo "$row"
	done <"$work/1"
} >"$work/table.md"

if [ -z "$doc_file" ]; then
	cat "$work/table.md"
	exit 0
fi
grep -qx "<!-- $block -->" "$doc_file" && grep -qx "<!-- /$block -->" "$doc_file" ||
	{ echo "releases.sh: $doc_file has no <!-- $block --> block" >&2; exit 1; }
awk -v table="$work/table.md" -v first="<!-- $block -->" -v last="<!-- /$block -->" '
	$0 == first { print; while ((getline line < table) > 0) print line; skip = 1; next }
	$0 == last { skip = 0 }
	!skip' "$doc_file" >"$work/doc" && cat "$work/doc" >"$doc_file"
