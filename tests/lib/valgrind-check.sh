#!/bin/sh
# Runs a command (a stock OpenSC tool that loads our module) under valgrind's
# memcheck and fails if any memory error or definite leak has a stack frame in
# our module.
#
#   valgrind-check.sh [--module FILE] [--log FILE] [--] COMMAND [ARGS...]
#
# --module  the module whose frames count as ours (default $OPENSC_JPKI_MODULE,
#           else anything named opensc-jpki.so)
# --log     keep valgrind's XML report there (default: a temporary file, kept
#           and named on failure)
#
# Exit status: COMMAND's own when valgrind reports nothing; 1 when an error
# involves our module; 2 when valgrind reports errors elsewhere only (noise
# from another library belongs in valgrind.supp beside this script, never a
# pattern that could match our module); 125 when the check itself cannot run.
#
# The report records COMMAND's arguments: never pass a PIN on the command line
# of a checked command.
#
# Known noise of other libraries is suppressed by valgrind.supp. Memcheck
# cannot run sanitizer-instrumented binaries: use a build configured without
# --enable-sanitizers.
set -u

here=$(cd "$(dirname "$0")" && pwd)
module=${OPENSC_JPKI_MODULE:-}
log=""
while [ $# -gt 0 ]; do
	case "$1" in
		--module) module=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--) shift; break ;;
		-*) echo "valgrind-check.sh: unknown option $1" >&2; exit 125 ;;
		*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: valgrind-check.sh [--module FILE] [--log FILE] [--] COMMAND [ARGS...]" >&2; exit 125; }

valgrind=${VALGRIND:-valgrind}
command -v "$valgrind" >/dev/null 2>&1 || { echo "valgrind-check.sh: $valgrind not found" >&2; exit 125; }
supp="$here/valgrind.supp"
[ -f "$supp" ] || { echo "valgrind-check.sh: missing $supp" >&2; exit 125; }

module_name=opensc-jpki.so
[ -z "$module" ] || module_name=$(basename "$module")

keep_log=yes
if [ -z "$log" ]; then
	log=$(mktemp "${TMPDIR:-/tmp}/valgrind-check.XXXXXX") || exit 125
	keep_log=no
fi

# A distinctive status: the command's own statuses stay readable otherwise.
error_status=97
# --keep-debuginfo: OpenSC dlcloses the module before exit, and a leak's
# allocation stack must still name it then. --child-silent-after-fork: tools
# that fork (none today) would otherwise interleave XML.
"$valgrind" --tool=memcheck --error-exitcode=$error_status \
	--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-origins=yes --num-callers=40 --keep-debuginfo=yes \
	--child-silent-after-fork=yes \
	--suppressions="$supp" \
	--xml=yes --xml-file="$log" -- "$@"
status=$?

if [ ! -s "$log" ]; then
	echo "valgrind-check.sh: valgrind wrote no report (status $status)" >&2
	exit 125
fi

# One line per error: "ours|theirs<TAB>kind<TAB>what<TAB>top frames".
summary=$(awk -v module="$module_name" '
	function flush() {
		if (!in_error) return
		printf "%s\t%s\t%s\t%s\n", (ours ? "ours" : "theirs"), kind, what, frames
		in_error = 0
	}
	/<error>/ { in_error = 1; ours = 0; stacks = 0; kind = ""; what = ""; frames = ""; nframes = 0; fn = ""; obj = ""; file = ""; line = "" }
	in_error && /<kind>/ { kind = $0; gsub(/.*<kind>|<\/kind>.*/, "", kind) }
	in_error && /<text>/ && what == "" { what = $0; gsub(/.*<text>|<\/text>.*/, "", what) }
	in_error && /<what>/ && what == "" { what = $0; gsub(/.*<what>|<\/what>.*/, "", what) }
	in_error && /<stack>/ { stacks++; if (stacks > 1) { frames = frames " || aux: "; nframes = 0 } }
	in_error && /<frame>/ { fn = ""; obj = ""; file = ""; line = "" }
	in_error && /<obj>/ { obj = $0; gsub(/.*<obj>|<\/obj>.*/, "", obj)
		n = split(obj, parts, "/"); if (parts[n] == module) ours = 1 }
	in_error && /<fn>/ { fn = $0; gsub(/.*<fn>|<\/fn>.*/, "", fn) }
	in_error && /<file>/ { file = $0; gsub(/.*<file>|<\/file>.*/, "", file) }
	in_error && /<line>/ { line = $0; gsub(/.*<line>|<\/line>.*/, "", line) }
	in_error && /<\/frame>/ { if (nframes < 8) { frames = frames (nframes ? " < " : "") (fn != "" ? fn : "?") (file != "" ? "@" file ":" line : ""); } nframes++ }
	/<\/error>/ { flush() }
' "$log")

ours=$(printf '%s\n' "$summary" | grep -c '^ours' || true)
theirs=$(printf '%s\n' "$summary" | grep -c '^theirs' || true)

if [ "$ours" -gt 0 ]; then
	echo "valgrind-check.sh: $ours error(s) in $module_name running: $*" >&2
	printf '%s\n' "$summary" | grep '^ours' | cut -f2- | sed 's/^/  /' >&2
	echo "valgrind-check.sh: full report: $log" >&2
	exit 1
fi
if [ "$theirs" -gt 0 ]; then
	echo "valgrind-check.sh: $theirs error(s) outside $module_name running: $*" >&2
	printf '%s\n' "$summary" | grep '^theirs' | cut -f2- | sed 's/^/  /' >&2
	echo "valgrind-check.sh: if this is known noise, suppress it in $supp; full report: $log" >&2
	exit 2
fi
if [ "$status" -eq "$error_status" ]; then
	echo "valgrind-check.sh: valgrind flagged errors the report does not list; see $log" >&2
	exit 2
fi
[ "$keep_log" = yes ] || rm -f "$log"
exit "$status"
