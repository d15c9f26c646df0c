#!/bin/sh
# The stock tools under valgrind with the built module and the virtual card:
# no memory error and no definite leak with a frame in opensc-jpki.so.
# Only commands that take no PIN: valgrind's report records the command line.
set -eu
: "${top_srcdir:?run from make check}"
: "${top_builddir:?run from make check}"
: "${OPENSC_JPKI_MODULE:?run from make check}"
[ -f "$OPENSC_JPKI_MODULE" ] || { echo "FAIL: no module at $OPENSC_JPKI_MODULE" >&2; exit 1; }
command -v valgrind >/dev/null 2>&1 || { echo "FAIL: valgrind is not installed (scripts/install-deps.sh)" >&2; exit 1; }
# Memcheck cannot run a sanitizer-instrumented module.
if nm -D "$OPENSC_JPKI_MODULE" 2>/dev/null | grep -q '__asan_'; then
	echo "SKIP: the module is built with sanitizers; valgrind needs a plain build"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/run.sh" <<'INNER'
#!/bin/sh
# Runs inside the harness: OPENSC_CONF loads the module, the card is present.
set -u
check=$top_srcdir/tests/lib/valgrind-check.sh
p11=$(ls /usr/lib/*-linux-gnu/opensc-pkcs11.so /usr/lib/opensc-pkcs11.so 2>/dev/null | head -n 1)
status=0
step() { # expected-output-fragment, command...
	want=$1; shift
	if ! "$check" -- "$@" >"$out_dir/out" 2>"$out_dir/err"; then
		echo "FAIL: valgrind-check: $*" >&2
		cat "$out_dir/err" >&2
		status=1
	elif ! grep -q -- "$want" "$out_dir/out"; then
		echo "FAIL: $* did not print '$want' (our module not in use?)" >&2
		cat "$out_dir/out" "$out_dir/err" >&2
		status=1
	else
		echo "ok: $*"
	fi
}
step "My Number Card (JPKI)" opensc-tool -n
step "Digital Signature PIN" pkcs15-tool --dump
step "BEGIN CERTIFICATE" pkcs15-tool --read-certificate 01
step "User Authentication Certificate" pkcs11-tool --module "$p11" --list-objects
exit $status
INNER
chmod +x "$tmp/run.sh"
# TMPDIR: failing reports stay inside $tmp, which goes with the test.
out_dir=$tmp top_srcdir=$top_srcdir TMPDIR=$tmp \
	"$top_srcdir/tests/harness/with-card.sh" -- "$tmp/run.sh"
