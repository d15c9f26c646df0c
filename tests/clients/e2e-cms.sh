#!/bin/sh
# Issue #7, CMS: a document signed with the card's Digital Signature Key by
# Debian's unmodified `openssl cms` through the PKCS#11 engine (libp11,
# libengine-pkcs11-openssl), verified by `openssl cms -verify` against the
# signature CA.
#
# As in e2e-tls.sh the key is named by the token's serial in the pkcs11: URL, a
# serial only the plugin gives (OpenSC's built-in driver reports 00000000 for
# every card), so with the built-in driver the scenario stops at [token] and the
# outer run requires the negative control to fail exactly there.
#
# Steps (inside the card's namespace):
#   token    a PKCS#11 token carries the authentication certificate's serial
#   cert     the signature certificate read from the card (signature PIN) is
#            jpki/0001
#   consent  the signature key is marked CKA_ALWAYS_AUTHENTICATE: each signature
#            needs the PIN again (per-signature consent)
#   sign     openssl cms -sign with the card's key; the signature PIN comes from
#            the environment (-passin env:), never argv or a file; no try spent,
#            exactly one signature computed by the card
#   verify   openssl cms -verify against jpki/0002 succeeds, the signer
#            certificate in the signature is the card's; a changed document fails
#   wrong-pin a wrong (well-formed) signature PIN: no signature, tries_sign -1
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--in-card" ]; then
	clients_outer "$here/e2e-cms.sh" token
	exit 0
fi

: "${JPKI_IDENTITY:?run by tests/harness/with-card.sh}" "${JPKI_SIM_STATS:?run by tests/harness/with-card.sh}"
clients_require openssl p11tool
ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 || clients_fail prerequisites "OpenSSL's pkcs11 engine missing (package libengine-pkcs11-openssl)"
module=$CLIENTS_PKCS11_MODULE
clients_install_trap
clients_mktemp cms-in-card

sim_stat() { # key of the virtual card's stats; an INS never sent has no line
	value=$(clients_value "$JPKI_SIM_STATS" "$1")
	echo "${value:-0}"
}

sign_pin=$(clients_value "$JPKI_IDENTITY/pins" sign)
auth_serial=$(clients_value "$JPKI_IDENTITY/facts" auth_serial)
[ -n "$sign_pin" ] && [ -n "$auth_serial" ] || clients_fail prerequisites "identity lacks the signature PIN or auth_serial"
# Still 6-16 of A-Z 0-9, so it does reach the card: only the card can say it is wrong.
case "$sign_pin" in
	*A) wrong_sign_pin=${sign_pin%?}B ;;
	*) wrong_sign_pin=${sign_pin%?}A ;;
esac

# --- token ---------------------------------------------------------------------
# OpenSC keeps the last 16 characters of a longer PKCS#15 serial.
token_serial=$(printf '%s' "$auth_serial" | tail -c 16)
p11tool --list-token-urls >"$clients_tmp/tokens" 2>"$clients_tmp/tokens.err" ||
	clients_fail token "p11tool --list-token-urls failed: $(cat "$clients_tmp/tokens.err")"
# One card shows as one token per PIN, all with the card's serial; the token
# label ends in the PIN's label, "(Digital Signature PIN)" for this key. The URL
# is taken from p11tool's listing, as a user would copy it.
token_url=$(grep -i "serial=$token_serial;" "$clients_tmp/tokens" | grep '%28Digital%20Signature%20PIN%29' | head -n 1 || true)
[ -n "$token_url" ] ||
	clients_fail token "no Digital Signature PIN token with serial $token_serial; tokens: $(tr '\n' ' ' <"$clients_tmp/tokens")"
# ID 02 is the Digital Signature Key and its certificate; users' scripts rely on it.
key_url="$token_url;id=%02;type=private"
cert_url="$token_url;id=%02;type=cert"
clients_note "token: $token_url"

# --- cert ----------------------------------------------------------------------
# The signature certificate is readable only after the signature PIN; GNUTLS_PIN
# answers p11tool's PIN prompt.
GNUTLS_PIN=$sign_pin p11tool --login --export "$cert_url" >"$clients_tmp/sign-cert.pem" 2>"$clients_tmp/export.err" ||
	clients_fail cert "p11tool could not read the signature certificate: $(cat "$clients_tmp/export.err")"
openssl x509 -in "$clients_tmp/sign-cert.pem" -outform DER -out "$clients_tmp/sign-cert.der" ||
	clients_fail cert "the card's signature certificate does not parse"
cmp -s "$clients_tmp/sign-cert.der" "$JPKI_IDENTITY/jpki/0001" ||
	clients_fail cert "the card's signature certificate differs from jpki/0001"
clients_note "cert: signature certificate read through PKCS#11 equals jpki/0001"

# --- consent -------------------------------------------------------------------
GNUTLS_PIN=$sign_pin p11tool --login --list-privkeys "$token_url;id=%02" >"$clients_tmp/privkeys" 2>"$clients_tmp/privkeys.err" ||
	clients_fail consent "p11tool --list-privkeys failed: $(cat "$clients_tmp/privkeys.err")"
grep -q 'Flags:.*CKA_ALWAYS_AUTH' "$clients_tmp/privkeys" ||
	clients_fail consent "the signature key is not marked always-authenticate: $(grep Flags: "$clients_tmp/privkeys")"
clients_note "consent: $(grep -m1 'Flags:' "$clients_tmp/privkeys" | sed 's/^[[:space:]]*//')"

# --- sign ----------------------------------------------------------------------
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0002" -out "$clients_tmp/sign-ca.pem" ||
	clients_fail prerequisites "cannot read the signature CA certificate"
printf 'opensc-jpki CMS test document %s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$clients_tmp/document.txt"

# Runs openssl cms -sign with the card's key; the PIN comes as $1 and reaches
# the engine through -passin env: (the engine's PIN prompt asks openssl's UI,
# which answers with the -passin value) - so it is never on a command line.
# PKCS11_MODULE_PATH tells the engine which PKCS#11 module to load (its default
# is p11-kit's proxy); OPENSSL_CONF=/dev/null keeps the system's openssl.cnf out.
cms_sign() { # pin, output
	CLIENTS_SIGN_PIN=$1 OPENSSL_CONF=/dev/null PKCS11_MODULE_PATH=$module \
	timeout 60 openssl cms -sign -binary -md sha256 \
		-engine pkcs11 -keyform engine -inkey "$key_url" -passin env:CLIENTS_SIGN_PIN \
		-signer "$clients_tmp/sign-cert.pem" \
		-in "$clients_tmp/document.txt" -outform DER -out "$2"
}

tries_before=$(sim_stat tries_sign)
[ "$tries_before" = 5 ] || clients_fail sign "signature PIN has $tries_before tries before the test, expected 5"
signatures_before=$(sim_stat ins_2A)
rc=0
cms_sign "$sign_pin" "$clients_tmp/document.p7s" >"$clients_tmp/sign.out" 2>"$clients_tmp/sign.err" || rc=$?
[ "$rc" -eq 0 ] && [ -s "$clients_tmp/document.p7s" ] ||
	clients_fail sign "openssl cms -sign exited $rc: $(cat "$clients_tmp/sign.err")"
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail sign "signing left tries_sign at $(sim_stat tries_sign)"
signatures=$(( $(sim_stat ins_2A) - signatures_before ))
[ "$signatures" -eq 1 ] || clients_fail sign "the card computed $signatures signatures, expected 1"
clients_note "sign: openssl cms -sign through the pkcs11 engine, one card signature"

# --- verify --------------------------------------------------------------------
rc=0
openssl cms -verify -binary -inform DER -in "$clients_tmp/document.p7s" \
	-content "$clients_tmp/document.txt" -CAfile "$clients_tmp/sign-ca.pem" \
	-signer "$clients_tmp/signer.pem" -out "$clients_tmp/verified.txt" \
	>"$clients_tmp/verify.out" 2>"$clients_tmp/verify.err" || rc=$?
[ "$rc" -eq 0 ] || clients_fail verify "openssl cms -verify exited $rc: $(cat "$clients_tmp/verify.err")"
grep -q '^CMS Verification successful' "$clients_tmp/verify.err" ||
	clients_fail verify "no 'CMS Verification successful': $(cat "$clients_tmp/verify.err")"
cmp -s "$clients_tmp/verified.txt" "$clients_tmp/document.txt" ||
	clients_fail verify "the verified content is not the document"
openssl x509 -in "$clients_tmp/signer.pem" -outform DER -out "$clients_tmp/signer.der" &&
cmp -s "$clients_tmp/signer.der" "$JPKI_IDENTITY/jpki/0001" ||
	clients_fail verify "the signer certificate in the signature is not the card's"
# The control: the same check must reject a changed document.
cp "$clients_tmp/document.txt" "$clients_tmp/changed.txt"
printf 'one more line\n' >>"$clients_tmp/changed.txt"
if openssl cms -verify -binary -inform DER -in "$clients_tmp/document.p7s" \
	-content "$clients_tmp/changed.txt" -CAfile "$clients_tmp/sign-ca.pem" \
	-out /dev/null >/dev/null 2>&1; then
	clients_fail verify "a changed document verified"
fi
clients_note "verify: CMS Verification successful against jpki/0002, signer = jpki/0001, changed document rejected"

# --- wrong-pin -----------------------------------------------------------------
signatures_before=$(sim_stat ins_2A)
rc=0
cms_sign "$wrong_sign_pin" "$clients_tmp/wrong.p7s" >"$clients_tmp/wrong.out" 2>"$clients_tmp/wrong.err" || rc=$?
[ "$rc" -ne 0 ] || clients_fail wrong-pin "openssl cms -sign succeeded with a wrong PIN"
[ "$(sim_stat ins_2A)" = "$signatures_before" ] || clients_fail wrong-pin "the card signed after a wrong PIN"
[ "$(sim_stat tries_sign)" = 4 ] || clients_fail wrong-pin "one wrong PIN left tries_sign at $(sim_stat tries_sign), expected 4"
clients_note "wrong-pin: refused (exit $rc), tries_sign 5 -> 4"
clients_note "PASS cms"
