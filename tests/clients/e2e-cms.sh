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
#   extensions the identity's signature certificate has key usage
#            digitalSignature and nonRepudiation
#   token    a PKCS#11 token carries the authentication certificate's serial
#   cert     the signature certificate read from the card (signature PIN) is
#            jpki/0001
#   consent  the signature key is marked CKA_ALWAYS_AUTHENTICATE: each signature
#            needs the PIN again (per-signature consent)
#   sign     openssl cms -sign with the card's key, the PIN typed at a terminal:
#            asked at login and again for the signature (consent honoured by
#            the client), no try spent, exactly one signature by the card
#   verify   openssl cms -verify against jpki/0002 succeeds, the signer
#            certificate in the signature is the card's; a changed document fails
#   wrong-pin a wrong (well-formed) signature PIN: no signature, tries_sign -1
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

clients_start "$here/e2e-cms.sh" token "${1:-}"
clients_require openssl p11tool script mkfifo
ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 || clients_fail prerequisites "OpenSSL's pkcs11 engine missing (package libengine-pkcs11-openssl)"
module=$CLIENTS_PKCS11_MODULE

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

# --- extensions ----------------------------------------------------------------
# S/MIME verification checks the signer's key usage; real signature
# certificates carry digitalSignature and nonRepudiation.
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -noout -ext keyUsage \
	>"$clients_tmp/sign-ext" 2>&1 || clients_fail extensions "cannot read the signature certificate's extensions"
grep -q 'Digital Signature, Non Repudiation' "$clients_tmp/sign-ext" ||
	clients_fail extensions "the signature certificate lacks digitalSignature/nonRepudiation: $(tr '\n' ' ' <"$clients_tmp/sign-ext")"

# --- token ---------------------------------------------------------------------
# The token of the signature PIN: "(Digital Signature PIN)" ends its label.
clients_token_url "$auth_serial" "Digital Signature PIN"
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

# Runs openssl cms -sign with the card's key under a pseudo-terminal
# (script(1)), and types the PIN at each of its prompts like a user at a
# terminal: the token PIN when the engine logs in, then the key PIN the card's
# per-signature consent (CKA_ALWAYS_AUTHENTICATE) asks for before the
# signature. The PIN goes through a pipe into the terminal, never argv or a
# file; it is typed only once a prompt is shown and a moment later, when
# OpenSSL has switched echo off, so the transcript never shows it (checked).
# PKCS11_MODULE_PATH tells the engine which module to load (its default is
# p11-kit's proxy); OPENSSL_CONF=/dev/null keeps the system's openssl.cnf out.
# A prompt beyond the expected number is not answered: the run is stopped, so a
# client that asks again after a wrong PIN cannot spend a second try.
# Sets cms_rc and cms_prompts.
cms_sign() { # pin, output, prompts to answer
	rm -f "$clients_tmp/tty-in" "$clients_tmp/tty.out"
	mkfifo "$clients_tmp/tty-in"
	CLIENTS_KEY_URL=$key_url CLIENTS_SIGNER=$clients_tmp/sign-cert.pem \
	CLIENTS_DOC=$clients_tmp/document.txt CLIENTS_OUT=$2 \
	OPENSSL_CONF=/dev/null PKCS11_MODULE_PATH=$module SHELL=/bin/sh \
	timeout 60 script -q -e -f -c 'exec openssl cms -sign -binary -md sha256 \
		-engine pkcs11 -keyform engine -inkey "$CLIENTS_KEY_URL" \
		-signer "$CLIENTS_SIGNER" -in "$CLIENTS_DOC" -outform DER -out "$CLIENTS_OUT"' \
		/dev/null <"$clients_tmp/tty-in" >"$clients_tmp/tty.out" 2>&1 &
	sign_pid=$!
	clients_track_pid "$sign_pid"
	exec 3>"$clients_tmp/tty-in"
	cms_prompts=0
	while kill -0 "$sign_pid" 2>/dev/null; do
		shown=$(grep -ac 'Enter PKCS#11 .*PIN' "$clients_tmp/tty.out" || true)
		if [ "$shown" -gt "$3" ]; then
			kill "$sign_pid" 2>/dev/null || true
			break
		fi
		if [ "$shown" -gt "$cms_prompts" ]; then
			sleep 0.3
			printf '%s\n' "$1" >&3
			cms_prompts=$((cms_prompts + 1))
		fi
		sleep 0.1
	done
	exec 3>&-
	cms_rc=0
	wait "$sign_pid" || cms_rc=$?
	clients_untrack_pid "$sign_pid"
	# The PIN goes to grep on stdin (printf is a shell builtin): not in argv.
	if printf '%s\n' "$1" | grep -aqF -f - "$clients_tmp/tty.out"; then
		clients_fail sign "the PIN was echoed on the terminal"
	fi
}
# What openssl printed, without the card's answers: prompts and errors only.
cms_transcript() {
	grep -aE 'Enter|error|Error' "$clients_tmp/tty.out" | tr -d '\r' | head -n 8
}

tries_before=$(sim_stat tries_sign)
[ "$tries_before" = 5 ] || clients_fail sign "signature PIN has $tries_before tries before the test, expected 5"
signatures_before=$(sim_stat ins_2A)
cms_sign "$sign_pin" "$clients_tmp/document.p7s" 2
[ "$cms_rc" -eq 0 ] && [ -s "$clients_tmp/document.p7s" ] ||
	clients_fail sign "openssl cms -sign exited $cms_rc: $(cms_transcript)"
# Two prompts: the token login, and the key's own for this one signature.
grep -aq 'Enter PKCS#11 token PIN' "$clients_tmp/tty.out" &&
grep -aq 'Enter PKCS#11 key PIN for Digital Signature Key' "$clients_tmp/tty.out" &&
[ "$cms_prompts" -eq 2 ] ||
	clients_fail sign "expected a token PIN and a key PIN prompt, got $cms_prompts: $(cms_transcript)"
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail sign "signing left tries_sign at $(sim_stat tries_sign)"
signatures=$(( $(sim_stat ins_2A) - signatures_before ))
[ "$signatures" -eq 1 ] || clients_fail sign "the card computed $signatures signatures, expected 1"
clients_note "sign: openssl cms -sign through the pkcs11 engine: PIN asked for login and again for the signature (consent), one card signature"

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
cms_sign "$wrong_sign_pin" "$clients_tmp/wrong.p7s" 1
[ "$cms_rc" -ne 0 ] || clients_fail wrong-pin "openssl cms -sign succeeded with a wrong PIN"
[ "$(sim_stat ins_2A)" = "$signatures_before" ] || clients_fail wrong-pin "the card signed after a wrong PIN"
[ "$(sim_stat tries_sign)" = 4 ] || clients_fail wrong-pin "one wrong PIN left tries_sign at $(sim_stat tries_sign), expected 4"
clients_note "wrong-pin: refused (exit $cms_rc, $cms_prompts prompt(s)), tries_sign 5 -> 4"
clients_note "PASS cms"
