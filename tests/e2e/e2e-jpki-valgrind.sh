#!/bin/sh
# One pkcs15-tool --dump and one PKCS#11 signature under valgrind memcheck,
# through pcscd: no memory error and no definite leak in the plugin's code.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}" "${OPENSC_JPKI_MODULE:?}"
[ -f "$OPENSC_JPKI_MODULE" ] || { echo "no module at $OPENSC_JPKI_MODULE" >&2; exit 1; }
command -v valgrind > /dev/null 2>&1 || { echo "valgrind not installed" >&2; exit 77; }
# Memcheck cannot run a sanitizer-instrumented module.
if nm -D "$OPENSC_JPKI_MODULE" 2>/dev/null | grep -q __asan_; then
	echo "module built with sanitizers: skipped" >&2
	exit 77
fi
gen=$top_builddir/sim/jpki-sim-gen
[ -x "$gen" ] || gen=$top_builddir/jpki-sim-gen
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$gen" --out "$work/card" > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; exit 99; }

cat > "$work/inner.sh" <<'INNER'
set -u
check=$top_srcdir/tests/lib/valgrind-check.sh
p11=$(ls /usr/lib/*/opensc-pkcs11.so 2>/dev/null | head -n 1)
status=0
sh "$check" -- pkcs15-tool --dump > "$WORK/dump" 2> "$WORK/dump.err" || { echo "dump under valgrind failed ($?)"; cat "$WORK/dump.err"; status=1; }
grep -q "User Authentication Certificate" "$WORK/dump" || { echo "dump printed no objects"; status=1; }
printf 'valgrind test\n' > "$WORK/data"
# The PIN comes from the environment, never the checked command line.
JPKI_TEST_PIN=$(sed -n 's/^sign=//p' "$JPKI_IDENTITY/pins") export JPKI_TEST_PIN
sh "$check" -- pkcs11-tool --module "$p11" --slot-index 1 --login --pin env:JPKI_TEST_PIN --sign --id 02 \
	-m SHA256-RSA-PKCS -i "$WORK/data" -o "$WORK/sig" > "$WORK/sign.out" 2>&1 \
	|| { echo "signature under valgrind failed"; cat "$WORK/sign.out"; status=1; }
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -pubkey -noout > "$WORK/pub.pem"
openssl dgst -sha256 -verify "$WORK/pub.pem" -signature "$WORK/sig" "$WORK/data" || status=1
exit $status
INNER
WORK=$work sh "$top_srcdir/tests/harness/with-card.sh" --identity "$work/card" --conf plugin-first -- \
	env WORK="$work" sh "$work/inner.sh"
