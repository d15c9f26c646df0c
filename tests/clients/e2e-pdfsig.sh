#!/bin/sh
# Issue #19, PDF signing: poppler's pdfsig (NSS) signs a PDF with the card's
# Digital Signature Key, given only the signature PIN, under the configuration
# `opensc-jpki-config --tokens sign enable FILE` writes for that one command.
#
# NSS logs in to every token that needs a login with the one password pdfsig
# has (-nss-pwd). Under the system-wide configuration both of the card's tokens
# are offered and pdfsig fails; under --tokens sign only the signature token is,
# and it signs. The PINs go to pdfsig on its command line, the only way it takes
# them: the test's synthetic PINs, in a private namespace, for a second.
#
# One card, one harness run, the plugin enabled (no run with OpenSC's built-in
# driver as in the other scenarios: the per-application file loads the plugin
# itself, so such a run would test the plugin again). The token serial step
# shows the plugin served the card (the built-in driver reports 00000000).
#
# Steps (inside the card's namespace):
#   conf       opensc-jpki-config --tokens sign enable FILE: exit 0, the
#              create_slots_for_pins line, the usage line
#   tokens     under FILE, NSS sees one token of the card: the Digital Signature
#              PIN's, with the plugin's serial, named as in the pdfsig command
#              opensc-jpki-config printed (OpenSC 0.26 and later name a lone
#              token "JPKI", earlier ones "JPKI (Digital Signature PIN)");
#              under the system-wide file, two
#   sign       pdfsig -add-signature with the signature PIN: exit 0; every card
#              signature with key 001A right after its own signature-PIN VERIFY
#              (per-signature consent); tries unchanged; the authentication PIN
#              never presented
#   pdfsig     pdfsig reads the signature as valid, adbe.pkcs7.detached, the
#              whole document; the chain is found through the trusted CA (issuer
#              unknown without it), and NSS's own chain check (certutil -V -u S)
#              passes for the signer certificate
#   openssl    the CMS (pdfsig -dump) verifies with openssl cms over the signed
#              byte ranges against jpki/0002; the signer is jpki/0001; the
#              signature value opens with the signature key's public key and not
#              with the authentication key's; it does not verify as the
#              authentication certificate's
#   etsi       -etsi (PAdES, ETSI.CAdES.detached): signed and read as such when
#              pdfsig can; pdfsig 22.12 refuses it before any PIN: then that
#   system-wide without FILE (the harness's system-wide configuration):
#              pdfsig fails with "Password was not accepted to open the NSS
#              database", exit 2, no signature, no try spent, the
#              authentication PIN never presented
#   wrong-pin  a wrong (well-formed) signature PIN under FILE: pdfsig exit 2 with
#              the same message, exactly one VERIFY, tries_sign 5 -> 4, no
#              signature, the authentication PIN never presented
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# The nickname under the system-wide file, with both tokens; under FILE the
# command opensc-jpki-config prints is run, its nickname checked against NSS.
system_sign_nick="JPKI (Digital Signature PIN):Digital Signature Certificate"
not_accepted="Password was not accepted to open the NSS database."

# ---- the outer half: one harness run, with the card's trace ------------------
if [ "${1:-}" != "--in-card" ]; then
	: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
	[ -n "${OPENSC_JPKI_MODULE:-}" ] && [ -f "$OPENSC_JPKI_MODULE" ] ||
		clients_fail prerequisites "plugin module ${OPENSC_JPKI_MODULE:-(unset)} not built"
	[ -x "$top_builddir/sim/jpki-sim-gen" ] || clients_fail prerequisites "jpki-sim-gen not built"
	[ -x "$top_builddir/tools/opensc-jpki-config" ] || clients_fail prerequisites "opensc-jpki-config not built"
	clients_require "$CLIENTS_PKCS11_MODULE" pdfsig certutil modutil openssl awk
	clients_install_trap
	clients_mktemp pdfsig
	"$top_builddir/sim/jpki-sim-gen" --out "$clients_tmp/identity" >/dev/null ||
		clients_fail prerequisites "jpki-sim-gen failed"
	rc=0
	CLIENTS_TRACE=$clients_tmp/trace sh "$top_srcdir/tests/harness/with-card.sh" \
		--identity "$clients_tmp/identity" --conf plugin-first --trace "$clients_tmp/trace" -- \
		sh "$here/e2e-pdfsig.sh" --in-card || rc=$?
	[ "$rc" -eq 0 ] || clients_fail plugin-run "the scenario failed (exit $rc)"
	clients_note "PASS pdfsig"
	exit 0
fi

: "${JPKI_IDENTITY:?run by tests/harness/with-card.sh}" "${JPKI_SIM_STATS:?}" "${CLIENTS_TRACE:?}"
clients_install_trap
clients_mktemp pdfsig-in-card
t=$clients_tmp
system_conf=$OPENSC_CONF

sim_stat() { # key of the virtual card's stats; an INS never sent has no line
	value=$(clients_value "$JPKI_SIM_STATS" "$1")
	echo "${value:-0}"
}
trace_lines() {
	wc -l <"$CLIENTS_TRACE" | tr -d ' '
}
# What the card saw after trace line $1, from its trace (PIN bytes are ** there):
# "verify_auth N" VERIFYs with a PIN on the authentication PIN (EF 0018 of the
# JPKI AP), "verify_sign N" on the signature PIN, "signatures N" COMPUTE DIGITAL
# SIGNATUREs, "bad N" signatures not with key 001A or without a successful
# signature-PIN VERIFY since the previous one (no consent of their own).
card_after() { # trace line
	tail -n +"$(($1 + 1))" "$CLIENTS_TRACE" | awk '
		BEGIN { ap = ""; ef = ""; consent = 0; va = 0; vs = 0; sigs = 0; bad = 0 }
		$2 == "00" && $3 == "A4" && $4 == "04" { ap = $7 $8 $9 $10; ef = ""; consent = 0; next }
		$2 == "00" && $3 == "A4" && $4 == "02" { ef = $7 $8; next }
		$2 == "00" && $3 == "20" && $6 != "=>" && ap == "D392F000" {
			if (ef == "0018") va++
			if (ef == "001B") { vs++; if ($NF == "00" && $(NF - 1) == "90") consent = 1 }
			next
		}
		$2 == "80" && $3 == "2A" {
			sigs++
			if (ef != "001A" || !consent) bad++
			consent = 0
		}
		END { printf "verify_auth %d\nverify_sign %d\nsignatures %d\nbad %d\n", va, vs, sigs, bad }'
}
card_count() { # what, trace line
	card_after "$2" | sed -n "s/^$1 //p"
}

auth_pin_untouched() { # step, trace line
	[ "$(card_count verify_auth "$2")" = 0 ] || clients_fail "$1" "the authentication PIN was presented to the card"
	[ "$(sim_stat tries_auth)" = 3 ] || clients_fail "$1" "tries_auth is $(sim_stat tries_auth), expected 3"
}

sign_pin=$(clients_value "$JPKI_IDENTITY/pins" sign)
auth_serial=$(clients_value "$JPKI_IDENTITY/facts" auth_serial)
[ -n "$sign_pin" ] && [ -n "$auth_serial" ] || clients_fail prerequisites "identity lacks the signature PIN or auth_serial"
case "$sign_pin" in
	*A) wrong_sign_pin=${sign_pin%?}B ;;
	*) wrong_sign_pin=${sign_pin%?}A ;;
esac

# ---- conf ---------------------------------------------------------------------------
app_conf=$t/pdfsig.conf
"$top_builddir/tools/opensc-jpki-config" --module "$OPENSC_JPKI_MODULE" --tokens sign enable "$app_conf" \
	>"$t/conf.out" 2>"$t/conf.err" || clients_fail conf "opensc-jpki-config --tokens sign exited $?: $(cat "$t/conf.err")"
grep -qx '		create_slots_for_pins = "sign";' "$app_conf" || clients_fail conf "no create_slots_for_pins = \"sign\" in $app_conf"
grep -qxF "  OPENSC_CONF=$app_conf APPLICATION [ARGUMENTS]" "$t/conf.out" ||
	clients_fail conf "no usage line: $(cat "$t/conf.out")"
# The pdfsig command it printed, placeholders and all: the signing steps below
# run exactly that line, with DB, SIGNPIN, IN.pdf and OUT.pdf filled in.
printed_pdfsig=$(sed -n "s/^  \\(OPENSC_CONF=.* pdfsig -add-signature .*\\)$/\\1/p" "$t/conf.out")
[ "$(printf '%s\n' "$printed_pdfsig" | grep -c .)" = 1 ] ||
	clients_fail conf "not one pdfsig command in what it printed: $(cat "$t/conf.out")"
sign_nick=$(printf '%s\n' "$printed_pdfsig" | sed -n "s/.* -nick '\\([^']*\\)' .*/\\1/p")
[ -n "$sign_nick" ] && [ "${sign_nick#*:}" = "Digital Signature Certificate" ] ||
	clients_fail conf "no pdfsig command with -nick 'TOKEN:Digital Signature Certificate': $(cat "$t/conf.out")"
clients_note "conf: $(head -n 1 "$t/conf.out")"

# ---- an NSS database as a user makes one -------------------------------------------
mkdir "$t/db" "$t/vdb" "$t/vdb-noca"
certutil -N -d "sql:$t/db" --empty-password && certutil -N -d "sql:$t/vdb" --empty-password &&
	certutil -N -d "sql:$t/vdb-noca" --empty-password || clients_fail prerequisites "certutil -N failed"
modutil -dbdir "sql:$t/db" -add opensc -libfile "$CLIENTS_PKCS11_MODULE" -force </dev/null >"$t/modutil.out" 2>&1 ||
	clients_fail prerequisites "modutil -add failed: $(cat "$t/modutil.out")"
# The signature CA, trusted for signatures; the verification databases (vdb*)
# hold no module, so verifying never touches the card.
for db in db vdb; do
	certutil -A -d "sql:$t/$db" -n "JPKI test signature CA" -t C,C,C -i "$JPKI_IDENTITY/jpki/0002" ||
		clients_fail prerequisites "certutil -A of the signature CA failed"
done
. "$here/pdf.sh"
make_pdf "$t/in.pdf"

# ---- tokens -------------------------------------------------------------------------
token_serial=$(printf '%s' "$auth_serial" | tail -c 16)
tokens_of() { # conf: the card's token names, one a line
	OPENSC_CONF=$1 modutil -dbdir "sql:$t/db" -list opensc </dev/null 2>/dev/null |
		sed -n 's/^ *Token Name: *\(.*[^ ]\) *$/\1/p' || true
}
[ "$(tokens_of "$app_conf")" = "${sign_nick%%:*}" ] ||
	clients_fail tokens "under --tokens sign NSS sees: $(tokens_of "$app_conf" | tr '\n' ';'), opensc-jpki-config said '${sign_nick%%:*}'"
OPENSC_CONF=$app_conf modutil -dbdir "sql:$t/db" -list opensc </dev/null 2>/dev/null |
	grep -q "Token Serial Number: $token_serial\$" ||
	clients_fail tokens "the token's serial is not the authentication certificate's ($token_serial)"
[ "$(tokens_of "$system_conf" | tr '\n' ';')" = "JPKI (User Authentication PIN);JPKI (Digital Signature PIN);" ] ||
	clients_fail tokens "under the system-wide file NSS sees: $(tokens_of "$system_conf" | tr '\n' ';')"
clients_note "tokens: --tokens sign: the Digital Signature PIN's token only, '${sign_nick%%:*}' (serial $token_serial); system-wide: both"

# ---- sign ---------------------------------------------------------------------------
# Under FILE the printed command, filled in (the PINs and paths hold no '|',
# '&' or '\\'); under the system-wide file the same command without FILE.
pdfsig_sign() { # conf, pin, output, [extra option]
	rc=0
	if [ "$1" = "$app_conf" ]; then
		command=$(printf '%s\n' "$printed_pdfsig" | sed -e "s|sql:DB|sql:$t/db|" -e "s|SIGNPIN|$2|g" \
			-e "s|-add-signature|-add-signature${4:+ $4}|" -e "s| IN.pdf OUT.pdf\$| $t/in.pdf $3|")
		timeout 60 sh -c "$command" >"$t/pdfsig.out" 2>&1 || rc=$?
	else
		OPENSC_CONF=$1 timeout 60 pdfsig -nssdir "sql:$t/db" -nss-pwd "$2" -nick "$system_sign_nick" -kpw "$2" \
			-add-signature ${4:+"$4"} "$t/in.pdf" "$3" >"$t/pdfsig.out" 2>&1 || rc=$?
	fi
}
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail sign "tries_sign is $(sim_stat tries_sign) before the test, expected 5"
mark=$(trace_lines)
started=$(date +%s.%N)
pdfsig_sign "$app_conf" "$sign_pin" "$t/signed.pdf"
finished=$(date +%s.%N)
[ "$rc" -eq 0 ] && [ -s "$t/signed.pdf" ] || clients_fail sign "pdfsig exited $rc: $(cat "$t/pdfsig.out")"
signatures=$(card_count signatures "$mark")
[ "$signatures" -ge 1 ] && [ "$signatures" -le 2 ] ||
	clients_fail sign "the card made $signatures signatures for one pdfsig signature"
[ "$(card_count bad "$mark")" = 0 ] ||
	clients_fail sign "a card signature without its own signature-PIN VERIFY, or not with key 001A"
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail sign "signing left tries_sign at $(sim_stat tries_sign)"
auth_pin_untouched sign "$mark"
clients_note "sign: pdfsig -add-signature under --tokens sign: exit 0, $signatures card signature(s) with key 001A, each after its own signature-PIN VERIFY ($(card_count verify_sign "$mark") in all), $(($(trace_lines) - mark)) APDUs, $(awk "BEGIN { printf \"%.1f\", $finished - $started }") s; tries 3/5 kept, authentication PIN never presented"

# ---- pdfsig -------------------------------------------------------------------------
pdfsig -nssdir "sql:$t/vdb" "$t/signed.pdf" >"$t/verify.out" 2>&1 || true
for line in "Signature Validation: Signature is Valid." "Signature Type: adbe.pkcs7.detached" "Total document signed"; do
	grep -qF -- "- $line" "$t/verify.out" || clients_fail pdfsig "pdfsig does not say '$line': $(tr '\n' ' ' <"$t/verify.out")"
done
pdfsig -nssdir "sql:$t/vdb-noca" "$t/signed.pdf" >"$t/verify-noca.out" 2>&1 || true
grep -qF -- "- Certificate Validation: Certificate issuer is unknown." "$t/verify-noca.out" ||
	clients_fail pdfsig "without the CA pdfsig does not say the issuer is unknown: $(grep Certificate "$t/verify-noca.out")"
# pdfsig 22.12 says "Unknown issue" rather than "Trusted" for any certificate
# with an OCSP address it cannot reach (it reads NSS's last error even when the
# chain verified): so the chain is checked with NSS itself below.
if grep -qF -- "- Certificate Validation: Certificate issuer is unknown." "$t/verify.out"; then
	clients_fail pdfsig "with the CA trusted pdfsig still says the issuer is unknown"
fi

# ---- openssl ------------------------------------------------------------------------
mkdir "$t/dump"
(cd "$t/dump" && pdfsig -dump "$t/signed.pdf" >/dev/null 2>&1) || true
cms=$t/dump/signed.pdf.sig0
[ -s "$cms" ] || clients_fail openssl "pdfsig -dump wrote no signature"
# The signed bytes: the two ranges pdfsig names, "[a - b], [c - d]".
ranges=$(sed -n 's/^ *- Signed Ranges: \[\([0-9]*\) - \([0-9]*\)\], \[\([0-9]*\) - \([0-9]*\)\]$/\1 \2 \3 \4/p' "$t/verify.out")
set -- $ranges
[ $# -eq 4 ] && [ "$1" -eq 0 ] && [ "$4" -eq "$(wc -c <"$t/signed.pdf")" ] ||
	clients_fail openssl "signed ranges [$ranges] do not cover the file from start to end"
{ head -c "$2" "$t/signed.pdf"; tail -c +"$(($3 + 1))" "$t/signed.pdf"; } >"$t/signed-bytes"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0002" -out "$t/sign-ca.pem"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000B" -out "$t/auth-ca.pem"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -out "$t/sign-cert.pem"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -out "$t/auth-cert.pem"
rc=0
openssl cms -verify -binary -inform DER -in "$cms" -content "$t/signed-bytes" -CAfile "$t/sign-ca.pem" \
	-signer "$t/signer.pem" -out /dev/null >"$t/cms.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q '^CMS Verification successful' "$t/cms.out" ||
	clients_fail openssl "openssl cms -verify exited $rc: $(cat "$t/cms.out")"
openssl x509 -in "$t/signer.pem" -outform DER -out "$t/signer.der" && cmp -s "$t/signer.der" "$JPKI_IDENTITY/jpki/0001" ||
	clients_fail openssl "the signer certificate in the CMS is not jpki/0001"
# Only the certificates given count: as the authentication certificate's it must fail.
if openssl cms -verify -binary -inform DER -in "$cms" -content "$t/signed-bytes" -nointern \
	-certfile "$t/auth-cert.pem" -CAfile "$t/auth-ca.pem" -out /dev/null >/dev/null 2>&1; then
	clients_fail openssl "the signature verifies as the authentication certificate's"
fi
# The signature value itself: opened with each certificate's public key.
sig_at=$(openssl asn1parse -inform DER -in "$cms" | awk '/hl=4 l= 256 prim: OCTET STRING/ { line = $0 } END { print line }' |
	sed -n 's/^ *\([0-9]*\):d=[0-9]* *hl=\([0-9]*\).*/\1 \2/p')
set -- $sig_at
[ $# -eq 2 ] || clients_fail openssl "no 256-byte signature value in the CMS"
tail -c +"$(($1 + $2 + 1))" "$cms" | head -c 256 >"$t/sig-value"
openssl x509 -in "$t/sign-cert.pem" -pubkey -noout >"$t/sign-pub.pem"
openssl x509 -in "$t/auth-cert.pem" -pubkey -noout >"$t/auth-pub.pem"
openssl pkeyutl -verifyrecover -pubin -inkey "$t/sign-pub.pem" -in "$t/sig-value" -out "$t/digest-info" 2>/dev/null &&
	[ "$(wc -c <"$t/digest-info")" -eq 51 ] ||
	clients_fail openssl "the signature value does not open to a SHA-256 DigestInfo with the signature key"
if openssl pkeyutl -verifyrecover -pubin -inkey "$t/auth-pub.pem" -in "$t/sig-value" -out /dev/null 2>/dev/null; then
	clients_fail openssl "the signature value opens with the authentication key"
fi
# NSS's own chain verdict for the signer, as an e-mail/document signer.
certutil -A -d "sql:$t/vdb" -n signer -t ,, -i "$t/signer.der" &&
	certutil -V -d "sql:$t/vdb" -n signer -u S >"$t/chain.out" 2>&1 &&
	grep -q 'certificate is valid' "$t/chain.out" ||
	clients_fail pdfsig "NSS does not verify the signer's chain to the trusted CA: $(cat "$t/chain.out" 2>/dev/null)"
clients_note "pdfsig+openssl: Signature is Valid (adbe.pkcs7.detached, whole document); NSS chain valid; openssl cms verified against jpki/0002, signer jpki/0001; not the authentication key"

# ---- etsi ---------------------------------------------------------------------------
mark=$(trace_lines)
pdfsig_sign "$app_conf" "$sign_pin" "$t/etsi.pdf" -etsi
if grep -q 'etsi is not supported yet with -add-signature' "$t/pdfsig.out"; then
	[ "$rc" -eq 2 ] && [ ! -e "$t/etsi.pdf" ] || clients_fail etsi "pdfsig refused -etsi but exited $rc"
	[ "$(card_count verify_sign "$mark")" = 0 ] && [ "$(card_count signatures "$mark")" = 0 ] ||
		clients_fail etsi "pdfsig refused -etsi after presenting the PIN or signing"
	clients_note "etsi: this pdfsig refuses -etsi with -add-signature (exit 2) before any PIN: PAdES not available here"
else
	[ "$rc" -eq 0 ] || clients_fail etsi "pdfsig -etsi exited $rc: $(cat "$t/pdfsig.out")"
	pdfsig -nssdir "sql:$t/vdb" "$t/etsi.pdf" >"$t/verify-etsi.out" 2>&1 || true
	grep -qF -- "- Signature Type: ETSI.CAdES.detached" "$t/verify-etsi.out" &&
		grep -qF -- "- Signature Validation: Signature is Valid." "$t/verify-etsi.out" ||
		clients_fail etsi "the -etsi signature is not a valid ETSI.CAdES.detached: $(tr '\n' ' ' <"$t/verify-etsi.out")"
	[ "$(card_count bad "$mark")" = 0 ] || clients_fail etsi "a card signature without its own consent"
	clients_note "etsi: a valid ETSI.CAdES.detached signature"
fi
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail etsi "tries_sign is $(sim_stat tries_sign)"
auth_pin_untouched etsi "$mark"

# ---- system-wide --------------------------------------------------------------------
mark=$(trace_lines)
pdfsig_sign "$system_conf" "$sign_pin" "$t/system.pdf"
[ "$rc" -eq 2 ] && grep -qF "$not_accepted" "$t/pdfsig.out" ||
	clients_fail system-wide "expected exit 2 and '$not_accepted', got exit $rc: $(cat "$t/pdfsig.out")"
[ ! -e "$t/system.pdf" ] && [ "$(card_count signatures "$mark")" = 0 ] || clients_fail system-wide "a signature was made"
[ "$(sim_stat tries_sign)" = 5 ] || clients_fail system-wide "tries_sign is $(sim_stat tries_sign), expected 5"
auth_pin_untouched system-wide "$mark"
clients_note "system-wide: pdfsig exit 2, '$not_accepted'; no signature, tries 3/5 kept, the authentication PIN never presented ($(card_count verify_sign "$mark") signature-PIN VERIFY)"

# ---- wrong-pin ----------------------------------------------------------------------
mark=$(trace_lines)
pdfsig_sign "$app_conf" "$wrong_sign_pin" "$t/wrong.pdf"
[ "$rc" -eq 2 ] && grep -qF "$not_accepted" "$t/pdfsig.out" ||
	clients_fail wrong-pin "expected exit 2 and '$not_accepted', got exit $rc: $(cat "$t/pdfsig.out")"
[ "$(card_count verify_sign "$mark")" = 1 ] ||
	clients_fail wrong-pin "$(card_count verify_sign "$mark") signature-PIN VERIFYs for one wrong PIN, expected 1"
[ "$(sim_stat tries_sign)" = 4 ] || clients_fail wrong-pin "tries_sign is $(sim_stat tries_sign), expected 4"
[ ! -e "$t/wrong.pdf" ] && [ "$(card_count signatures "$mark")" = 0 ] || clients_fail wrong-pin "a signature was made"
auth_pin_untouched wrong-pin "$mark"
clients_note "wrong-pin: pdfsig exit 2, '$not_accepted'; one VERIFY, tries_sign 5 -> 4"
clients_note "PASS pdfsig (in card)"
