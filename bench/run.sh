#!/bin/sh
# The card-link benchmark (issue #6): the plugin (listed before `internal`) and
# the stock configuration (OpenSC's built-in `jpki` driver) side by side, in the
# same run, on the virtual card through the real pcscd stack.
#
#   bench/run.sh [--builddir DIR] [--reps N] [--quick] [--latency "0 20"]
#                [--ext "yes no"] [--workloads "..."] [--out FILE.md] [--tsv FILE]
#                [--trace-dir DIR] [--apdus FILE] [--update-doc FILE]
#
# Builds nothing: run `make` first. The build directory comes from --builddir,
# else $top_builddir (set by `make check`), else the current directory.
#   --reps N     runs of each workload per session (default 5)
#   --quick      1 run, 0 ms latency only: proves the tooling works (CI)
#   --out FILE   also write the Markdown report there
#   --tsv FILE   keep the raw per-run lines (see bench/session.sh)
#   --trace-dir DIR  keep the card's APDU trace of each session (PIN bytes masked)
#   --apdus FILE     keep the traced APDUs of each run (input of bench/trace-check.awk)
#   --update-doc FILE      put the report under FILE's <!-- bench-table --> line
#                          (doc/benchmark.md)
#
# For each (latency, extended length) setting there is one harness session per
# configuration, i.e. one card insertion; every workload runs N times in it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${top_builddir:-}
reps=5
latencies="0 20"
ext_settings="yes no"
workloads="opensc-tool-n dump read-cert-2 sign-20"
out=""
tsv=""
doc_file=""
trace_dir=""
apdus_copy=""
plugin_name=mynumber
# What the report says was run: the options that change the figures only.
invocation="bench/run.sh"

while [ $# -gt 0 ]; do
	case "$1" in
		--builddir) builddir=$2; shift 2 ;;
		--reps) reps=$2; invocation="$invocation $1 $2"; shift 2 ;;
		--quick) reps=1; latencies=0; invocation="$invocation $1"; shift ;;
		--latency) latencies=$2; invocation="$invocation $1 \"$2\""; shift 2 ;;
		--ext) ext_settings=$2; invocation="$invocation $1 \"$2\""; shift 2 ;;
		--workloads) workloads=$2; invocation="$invocation $1 \"$2\""; shift 2 ;;
		--out) out=$2; shift 2 ;;
		--tsv) tsv=$2; shift 2 ;;
		--update-doc) doc_file=$2; shift 2 ;;
		--trace-dir) trace_dir=$2; shift 2 ;;
		--apdus) apdus_copy=$2; shift 2 ;;
		-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
case "$reps" in ''|*[!0-9]*|0) echo "bench/run.sh: --reps needs a positive number" >&2; exit 2 ;; esac
[ -z "$doc_file" ] || grep -q '^<!-- bench-table -->$' "$doc_file" ||
	{ echo "bench/run.sh: $doc_file has no <!-- bench-table --> line" >&2; exit 2; }
[ -n "$builddir" ] || builddir=$(pwd)
if [ -n "$trace_dir" ]; then
	mkdir -p "$trace_dir"
	trace_dir=$(cd "$trace_dir" && pwd)
fi
builddir=$(cd "$builddir" && pwd)
# The harness finds jpki-sim and jpki-sim-gen through top_builddir.
top_builddir=$builddir
export top_builddir

die() { echo "bench/run.sh: $*" >&2; exit 1; }

module=${OPENSC_JPKI_MODULE:-$builddir/src/.libs/opensc-jpki.so}
[ -f "$module" ] || die "no plugin module at $module (run make in $builddir, or pass --builddir)"
harness=$srcdir/tests/harness/with-card.sh
[ -f "$harness" ] || die "no harness at $harness"
run_harness() {
	if [ -x "$harness" ]; then "$harness" "$@"; else sh "$harness" "$@"; fi
}
p11_sign=$builddir/bench/p11-sign
[ -x "$p11_sign" ] || die "no $p11_sign (run make in $builddir)"
gen=""
for candidate in "$builddir/sim/jpki-sim-gen" "$builddir/jpki-sim-gen" "$builddir/tools/jpki-sim-gen"; do
	[ -x "$candidate" ] && { gen=$candidate; break; }
done
[ -n "$gen" ] || die "no jpki-sim-gen in $builddir (run make)"
p11_module=${OPENSC_PKCS11_MODULE:-}
if [ -z "$p11_module" ]; then
	libdir=$(dirname "${OPENSC_JPKI_LIB:-$(ls /usr/lib/*-linux-gnu/libopensc.so.* 2>/dev/null | head -n 1)}")
	for candidate in "$libdir/opensc-pkcs11.so" "$libdir/pkcs11/opensc-pkcs11.so"; do
		[ -f "$candidate" ] && { p11_module=$candidate; break; }
	done
fi
[ -n "$p11_module" ] || die "no opensc-pkcs11.so found (set OPENSC_PKCS11_MODULE)"

work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-bench.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$gen" --out "$work/identity" >"$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; die "jpki-sim-gen failed"; }
chmod 700 "$work"
# "Extended length yes" is what a user has when card and reader both carry it:
# the card accepts it (jpki-sim extended_length=yes) and opensc.conf declares
# the reader's sizes (vpcd cannot report them). "no": the least capable card,
# short APDUs only and no READ BINARY by short EF identifier (sfi=no), behind
# OpenSC's default reader limits. Both configurations get the same reader.
for ext in yes no; do
	reader_opt=""
	[ "$ext" = no ] || reader_opt=--reader-ext
	sh "$srcdir/tests/lib/opensc-conf.sh" plugin-first --module "$module" --name "$plugin_name" $reader_opt \
		>"$work/plugin-ext$ext.conf"
	sh "$srcdir/tests/lib/opensc-conf.sh" builtin $reader_opt >"$work/builtin-ext$ext.conf"
done

runs=$work/runs.tsv
apdus=$work/runs.apdus
: >"$runs"
: >"$apdus"
[ -n "$trace_dir" ] || trace_dir=$work
status=0
for latency in $latencies; do
	for ext in $ext_settings; do
		# The plugin first, as users are told to configure it.
		for conf in plugin builtin; do
			label="lat${latency}_ext${ext}_${conf}"
			echo "bench: $label ($reps run(s) of: $workloads)" >&2
			mkdir -p "$work/$label"
			trace=$trace_dir/$label.trace
			if ! run_harness --identity "$work/identity" --trace "$trace" \
				--set "latency_ms=$latency" --set "extended_length=$ext" --set "sfi=$ext" \
				--conf "$work/$conf-ext$ext.conf" -- \
				sh "$here/session.sh" --out "$runs" --label "$label" --reps "$reps" \
					--p11-sign "$p11_sign" --p11-module "$p11_module" --work "$work/$label" \
					--trace "$trace" --apdus "$apdus" \
					$workloads; then
				echo "bench: session $label failed" >&2
				status=1
			fi
		done
	done
done

[ -z "$tsv" ] || cp "$runs" "$tsv"
[ -z "$apdus_copy" ] || cp "$apdus" "$apdus_copy"

{
	echo "Benchmark of the card link: \`$invocation\` ($reps run(s) per insertion) on $(date -u +%Y-%m-%d), OpenSC $(OPENSC_CONF=$work/builtin-extno.conf opensc-tool -i 2>/dev/null | sed -n '1s/^OpenSC \([^ ]*\).*/\1/p'),"
	echo "virtual card (\`jpki-sim\`) through pcscd + vpcd, $(nproc) CPU(s). Figures are medians over the runs of one"
	echo "card insertion; a range in parentheses means the runs disagreed. Bytes count whole APDUs (header,"
	echo "data, Le / data, status word). The plugin configuration lists the plugin before \`internal\`;"
	echo "the stock configuration is Debian's opensc.conf (built-in \`jpki\` driver). Extended length \"yes\":"
	echo "the card accepts it and both configurations declare the reader's extended sizes in opensc.conf;"
	echo "\"no\": a card with short APDUs only and no READ BINARY by short EF identifier, behind OpenSC's"
	echo "default (short) reader limits."
	echo
	awk -f "$here/report.awk" "$runs"
	echo
	echo "Card-link hygiene, worst run (from the card's APDU trace): a re-read fetches bytes already read in"
	echo "the same run; 6A82 answers are probes for files or applications the card does not have."
	echo
	awk -f "$here/trace-check.awk" "$runs" "$apdus"
} >"$work/report.md"
cat "$work/report.md"
[ -z "$out" ] || cp "$work/report.md" "$out"

if [ -n "$doc_file" ]; then
	# doc/benchmark.md holds the latest table between <!-- bench-table --> and
	# <!-- /bench-table -->; a lone opening marker gets its closing one.
	grep -q '^<!-- bench-table -->$' "$doc_file" || die "$doc_file has no <!-- bench-table --> line"
	# The link to bench/README.md, relative to the file's own directory.
	bench_readme=$(realpath -m --relative-to="$(dirname "$doc_file")" "$here/README.md" 2>/dev/null) ||
		bench_readme=$here/README.md
	{
		echo "Rerun it (as root, after \`scripts/build.sh plain\`; about 2 minutes on 2 cores):"
		echo
		echo '```sh'
		echo "cd build/plain && sh ../../bench/run.sh --reps $reps --update-doc ../../doc/benchmark.md"
		echo '```'
		echo
		echo "What is measured and how: [bench/README.md]($bench_readme)."
		echo
		cat "$work/report.md"
	} >"$work/doc-block.md"
	awk -v block="$work/doc-block.md" '
		/^<!-- bench-table -->$/ {
			print
			while ((getline line < block) > 0) print line
			print ""
			print "<!-- /bench-table -->"
			skipping = 1
			next
		}
		skipping && /^<!-- \/bench-table -->$/ { skipping = 0; next }
		skipping && /^## / { skipping = 0; print "" }
		!skipping { print }
	' "$doc_file" >"$work/doc.new"
	cat "$work/doc.new" >"$doc_file"
fi
exit $status
