# Sourced by the tests in tests/config and tests/module: assertions that say what
# they expected, and a scratch directory removed on exit.
# shellcheck shell=sh

me=$(basename "$0")
failures=0

fail() {
	echo "FAIL: $me: $*" >&2
	failures=$((failures + 1))
}

# Stops the test: the rest would only repeat the same failure.
die() {
	echo "FAIL: $me: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/opensc-jpki-test.XXXXXX") || die "no scratch directory"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP

config_tool=$top_builddir/tools/opensc-jpki-config
data=$top_srcdir/tests/config/data

# run COMMAND...: sets $rc, $out and $err (stdout and stderr as text).
run() {
	"$@" > "$scratch/.out" 2> "$scratch/.err"
	rc=$?
	out=$(cat "$scratch/.out")
	err=$(cat "$scratch/.err")
}

expect_rc() { # expected, what
	if [ "$rc" -eq "$1" ]; then
		pass "$2: exit $rc"
	else
		fail "$2: exit $rc, expected $1 (stdout: $out; stderr: $err)"
	fi
}

expect_text() { # actual, expected, what
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3: got [$1], expected [$2]"
	fi
}

expect_same_file() { # file, reference, what
	if cmp -s "$1" "$2"; then
		pass "$3"
	else
		fail "$3: $1 differs from $2"
		diff -u "$2" "$1" >&2 || true
	fi
}

# Bytes, mode and modification time (nanoseconds): "untouched" in one string.
fingerprint() {
	printf '%s %s\n' "$(cksum < "$1")" "$(stat -c '%a %u %g %y' "$1")"
}

# Lists the card drivers stock OpenSC sees with this configuration: one line
# "short-name long name" per driver.
opensc_drivers() { # conf
	OPENSC_CONF=$1 opensc-tool -D 2> "$scratch/.opensc-err" | sed -n 's/^  \([^ ]*\)  *\(.*\)$/\1 \2/p'
}

# A copy of a module that opensc-jpki-config status loads also when the tests
# run as root: there it loads only a file root owns and only root can write, in
# a directory that is the same, and the build tree or a copy made under another
# umask need not be. Prints the copy's path, $scratch/lib/NAME.
trusted_copy() { # module, name
	if ! { mkdir -p "$scratch/lib" && chmod 0755 "$scratch/lib" && cp "$1" "$scratch/lib/$2" &&
		chmod 0644 "$scratch/lib/$2"; }; then
		die "cannot copy $1 to $scratch/lib"
	fi
	echo "$scratch/lib/$2"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$me: $failures failure(s)" >&2
		exit 1
	fi
	echo "$me: all passed"
	exit 0
}
