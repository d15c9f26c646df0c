#!/bin/sh
# Issue #11: each key reports its own size once it is known. A card whose
# authentication key is small and whose signature key is 2048 bits
# (jpki-sim-gen --variant small): before the signature PIN the Digital
# Signature Key is described with the authentication key's size (its
# certificate needs the PIN; both keys of a card are of one generation), after
# it with its own, in PKCS#11's CKA_MODULUS_BITS too, and it signs with it.
#
# Fails, never skips, when a program is missing.
set -eu

me=e2e-key-size
fail() {
	echo "$me: FAIL: $*" >&2
	exit 1
}
module=${CLIENTS_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
python=/usr/bin/python3

if [ "${1:-}" = "--inside" ]; then
	out=$2
	sign_pin=$(sed -n 's/^sign=//p' "$JPKI_IDENTITY/pins")
	auth_bits=$(openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -noout -text |
		sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')
	sign_bits=$(openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -noout -text |
		sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')
	[ -n "$auth_bits" ] && [ -n "$sign_bits" ] && [ "$auth_bits" != "$sign_bits" ] ||
		fail "the identity's keys should differ in size (auth '$auth_bits', sign '$sign_bits')"

	pkcs15-tool --dump > "$out/dump.txt" 2>&1 || fail "pkcs15-tool --dump: $(cat "$out/dump.txt")"
	dumped=$(awk '/^Private RSA Key \[Digital Signature Key\]/ { key = 1 } key && /ModLength/ { print $NF; exit }' "$out/dump.txt")
	[ "$dumped" = "$auth_bits" ] || fail "before the PIN the dump says $dumped bits for key 02, expected the assumed $auth_bits"
	echo "$me: ok: before the PIN, key 02 is described with the authentication key's $auth_bits bits"

	printf '%s' "$sign_pin" > "$out/pin"
	SIGN_PIN_FILE=$out/pin "$python" - "$module" "$out" <<'EOF' || fail "the PKCS#11 client failed"
import hashlib, sys
import PyKCS11
module, out = sys.argv[1], sys.argv[2]
pin = open(out + "/pin").read()
lib = PyKCS11.PyKCS11Lib()
lib.load(module)
slot = [s for s in lib.getSlotList(tokenPresent=True)
        if "Digital Signature PIN" in lib.getTokenInfo(s).label][0]
session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
session.login(pin)
key = session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (2,))])[0]
bits = session.getAttributeValue(key, [PyKCS11.CKA_MODULUS_BITS])[0]
open(out + "/bits", "w").write("%d\n" % bits)
mechanism = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
lib.lib.C_SignInit(session.session, mechanism.to_native(), key)
session.login(pin, user_type=PyKCS11.CKU_CONTEXT_SPECIFIC)
signature = PyKCS11.ckbytelist()
message = PyKCS11.ckbytelist(b"key size")
# The first call sizes the buffer (no card), the second signs.
rv = lib.lib.C_Sign(session.session, message, signature)
if rv == PyKCS11.CKR_OK:
    rv = lib.lib.C_Sign(session.session, message, signature)
if rv != PyKCS11.CKR_OK:
    sys.exit("C_Sign: %s" % PyKCS11.CKR[rv])
open(out + "/sig", "wb").write(bytes(signature))
session.logout()
EOF
	[ "$(cat "$out/bits")" = "$sign_bits" ] ||
		fail "after the PIN, CKA_MODULUS_BITS of key 02 is $(cat "$out/bits"), expected its own $sign_bits"
	echo "$me: ok: after the PIN, CKA_MODULUS_BITS of key 02 is its own $sign_bits"
	printf 'key size' > "$out/msg"
	openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -pubkey -noout > "$out/sign.pub"
	openssl dgst -sha256 -verify "$out/sign.pub" -signature "$out/sig" "$out/msg" >/dev/null ||
		fail "the key-02 signature does not verify with certificate 02"
	[ "$(wc -c < "$out/sig")" -eq $((sign_bits / 8)) ] || fail "the signature is not $((sign_bits / 8)) bytes"
	echo "$me: ok: key 02 signs with its own $sign_bits bits; the signature verifies with certificate 02"
	exit 0
fi

: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
[ -f "$module" ] || fail "no PKCS#11 module $module"
"$python" -c 'import PyKCS11' 2>/dev/null || fail "$python cannot import PyKCS11 (scripts/packages-extra.txt)"
work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
"$top_builddir/sim/jpki-sim-gen" --out "$work/identity" --variant small > "$work/gen.log" 2>&1 ||
	fail "jpki-sim-gen --variant small: $(cat "$work/gen.log")"
mkdir "$work/out"
sh "$top_srcdir/tests/harness/with-card.sh" --identity "$work/identity" --conf plugin-first -- \
	sh "$0" --inside "$work/out" || fail "case failed (status $?)"
echo "$me: all checks passed"
