#!/bin/sh
# The stock tools against one virtual card, run inside tests/harness/with-card.sh
# (which sets OPENSC_CONF, JPKI_SIM_STATS and JPKI_IDENTITY). Every check
# compares bytes, counts or exact messages; the card's own try counters are read
# from the simulator after each PIN operation.
#   jpki-checks.sh LABEL
set -u
label=${1:-e2e}
p11=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
[ -f "$p11" ] || p11=$(ls /usr/lib/*/opensc-pkcs11.so 2>/dev/null | head -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-checks.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL [$label]: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok   [$label]: $*"; }
fact() { sed -n "s/^$1=//p" "$JPKI_IDENTITY/facts"; }
pin() { sed -n "s/^$1=//p" "$JPKI_IDENTITY/pins"; }
stat() { sed -n "s/^$1=//p" "$JPKI_SIM_STATS"; }
apdus() { stat apdus; }
expect_tries() { # which expected context
	got=$(stat "tries_$1")
	[ "$got" = "$2" ] && pass "$3: card's $1 tries $got" || fail "$3: card's $1 tries $got, expected $2"
}
contains() { # file text what
	grep -qF -- "$2" "$1" && pass "$3" || { fail "$3: no '$2' in output"; sed 's/^/    /' "$1" >&2; }
}

auth_pin=$(pin auth)
sign_pin=$(pin sign)
# A leading 1 keeps a PIN such as 0659 decimal: the shell reads 0659 as octal.
wrong_auth=$(printf '%04d' $(( (1$auth_pin + 1) % 10000 )))
wrong_sign=${sign_pin}0
[ ${#wrong_sign} -le 16 ] || wrong_sign=$(echo "$sign_pin" | tr 'A-Z0-9' 'B-ZA1-90')

# ---- identification -------------------------------------------------------
opensc-tool -n > "$work/name" 2>&1
contains "$work/name" "My Number Card (JPKI)" "opensc-tool -n names the card"

before=$(apdus)
queries_before=$(stat ins_20)
pkcs15-tool --dump > "$work/dump" 2>&1 || fail "pkcs15-tool --dump exit status"
dump_apdus=$(( $(apdus) - before ))
# Each PIN's tries are asked once: by the bind where pkcs15-tool shows what the
# bind found (OpenSC 0.23), by the tool itself where it asks (0.26 on), in a
# transaction of its own that costs one APDU more than inside the bind's
# (confirm the application, SELECT the PIN's EF, no-data VERIFY).
pin_queries=$(( $(stat ins_20) - queries_before ))
pins_listed=$(grep -c '^PIN \[' "$work/dump")
[ "$pin_queries" -eq "$pins_listed" ] && pass "the dump asks each of its $pins_listed PINs' tries once" \
	|| fail "the dump asked $pin_queries times for the tries of $pins_listed PINs"
tool_queries=0
[ "${OPENSC_JPKI_TOOL_ASKS_PIN_INFO:-no}" = no ] || tool_queries=$pin_queries
dump_max=$(( ${JPKI_DUMP_APDU_MAX:-24} + tool_queries ))
echo "     [$label]: pkcs15-tool --dump took $dump_apdus APDUs ($tool_queries tries queries of the tool's own)"
[ "$dump_apdus" -le "$dump_max" ] && pass "dump within $dump_max APDUs" \
	|| fail "dump took $dump_apdus APDUs (max $dump_max)"
contains "$work/dump" "Serial number  : $(fact auth_serial)" "token serial is the auth certificate's serial"
for text in "PIN [User Authentication PIN]" "PIN [Digital Signature PIN]" \
	"Private RSA Key [User Authentication Key]" "Private RSA Key [Digital Signature Key]" \
	"Public RSA Key [User Authentication Public Key]" "Public RSA Key [Digital Signature Public Key]" \
	"X.509 Certificate [User Authentication Certificate]" "X.509 Certificate [Digital Signature Certificate]" \
	"X.509 Certificate [User Authentication Certificate CA]" "X.509 Certificate [Digital Signature Certificate CA]" \
	"Tries left     : 3" "Tries left     : 5" "min_len:4, max_len:4" "min_len:6, max_len:16" \
	"Type           : UTF-8" "Type           : ascii-numeric" "Usage          : [0x204], sign, nonRepudiation" \
	"Path           : 000a" "Path           : 0001" "Path           : 000b" "Path           : 0002" \
	"ModLength      : 2048"; do
	contains "$work/dump" "$text" "dump shows '$text'"
done
awk '/^X.509 Certificate \[Digital Signature Certificate\]/{f=1} f&&/Object Flags/{print; exit}' "$work/dump" \
	| grep -q "private" && pass "signature certificate is private" || fail "signature certificate not private"

pkcs15-tool --list-pins > "$work/pins" 2>&1
[ "$(grep -c '^PIN \[' "$work/pins")" = 2 ] && pass "--list-pins lists 2 PINs" || fail "--list-pins count"

# ---- certificates ----------------------------------------------------------
for pair in 1:000A 3:000B 4:0002; do
	id=${pair%%:*}; ef=${pair#*:}
	pkcs15-tool --read-certificate "$id" 2>/dev/null | openssl x509 -outform DER > "$work/cert$id" 2>/dev/null
	cmp -s "$work/cert$id" "$JPKI_IDENTITY/jpki/$ef" && pass "certificate $id byte-identical to EF $ef" \
		|| fail "certificate $id differs from EF $ef"
done
before=$(apdus)
if pkcs15-tool --read-certificate 2 > "$work/cert2" 2> "$work/cert2.err"; then
	fail "signature certificate read without the PIN"
else
	pass "signature certificate refused without the PIN"
fi
before_b0=$(stat ins_B0)
pkcs15-tool --read-certificate 2 --verify-pin --auth-id 2 --pin "$sign_pin" 2>/dev/null \
	| openssl x509 -outform DER > "$work/cert2" 2>/dev/null
cmp -s "$work/cert2" "$JPKI_IDENTITY/jpki/0001" && pass "certificate 2 with the PIN is byte-identical" \
	|| fail "certificate 2 with the PIN differs"
expect_tries sign 5 "after reading certificate 2"

# ---- public keys -----------------------------------------------------------
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/000A" -pubkey -noout > "$work/pub1.pem"
openssl x509 -inform DER -in "$JPKI_IDENTITY/jpki/0001" -pubkey -noout > "$work/pub2.pem"
pkcs15-tool --read-public-key 1 > "$work/key1.pem" 2>/dev/null
cmp -s "$work/key1.pem" "$work/pub1.pem" && pass "public key 1 without a PIN" || fail "public key 1 differs"
if pkcs15-tool --read-public-key 2 > "$work/key2.pem" 2>/dev/null; then
	fail "public key 2 read without the PIN"
else
	pass "public key 2 refused without the PIN"
fi
lower_sign=$(echo "$sign_pin" | tr 'A-Z' 'a-z')
pkcs15-tool --read-public-key 2 --verify-pin --auth-id 2 --pin "$lower_sign" > "$work/key2.pem" 2>/dev/null
cmp -s "$work/key2.pem" "$work/pub2.pem" && pass "public key 2 after the PIN (typed in lower case)" \
	|| fail "public key 2 after the PIN differs"

# ---- PIN rules: impossible values never reach the card -------------------
# A bind costs two no-data VERIFYs (tries left); anything beyond is a PIN sent.
# The tries cost no PIN value (no-data VERIFYs; OpenSC 0.26's pkcs15-tool asks
# again for each PIN it lists, so their number is the tool's).
before=$(stat pin_values)
pkcs15-tool --list-pins > /dev/null 2>&1
[ "$(stat pin_values)" = "$before" ] && pass "listing the PINs sends no PIN value" \
	|| fail "listing the PINs sent $(( $(stat pin_values) - before )) PIN value(s)"
for bad in 123 12345 12a4 "" ; do
	before=$(stat pin_values)
	pkcs15-tool --verify-pin --auth-id 01 --pin "$bad" > "$work/v" 2>&1 && fail "auth PIN '$bad' accepted"
	[ "$(stat pin_values)" = "$before" ] && pass "auth PIN '$bad' refused with no PIN value sent" \
		|| fail "auth PIN '$bad' reached the card"
	expect_tries auth 3 "after impossible auth PIN '$bad'"
done
for bad in ABC12 ABCDEFGH12345678X "ABC-123" "ABC 123" "ＡＢＣ１２３"; do
	before=$(stat pin_values)
	pkcs15-tool --verify-pin --auth-id 02 --pin "$bad" > "$work/v" 2>&1 && fail "sign PIN '$bad' accepted"
	[ "$(stat pin_values)" = "$before" ] && pass "sign PIN '$bad' refused with no PIN value sent" \
		|| fail "sign PIN '$bad' reached the card"
done
pkcs15-tool --verify-pin --auth-id 01 --pin 12a4 > "$work/v" 2>&1
# What applications treat as a wrong PIN (PKCS#11: CKR_PIN_INCORRECT), though
# the card never saw it (the VERIFY count above) and no try went.
contains "$work/v" "PIN code or key incorrect" "a non-digit auth PIN is reported as an incorrect PIN"
expect_tries sign 5 "after impossible sign PINs"

# ---- VERIFY right and wrong -----------------------------------------------
pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" > "$work/v" 2>&1 && pass "right auth PIN verifies" \
	|| fail "right auth PIN refused"
expect_tries auth 3 "after right auth PIN"
pkcs15-tool --verify-pin --auth-id 01 --pin "$wrong_auth" > "$work/v" 2>&1 && fail "wrong auth PIN accepted"
contains "$work/v" "PIN code or key incorrect" "wrong auth PIN reported as incorrect"
expect_tries auth 2 "after a wrong auth PIN"
pkcs15-tool --list-pins > "$work/pins" 2>&1
contains "$work/pins" "Tries left     : 2" "--list-pins shows 2 tries left"
pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" > /dev/null 2>&1
expect_tries auth 3 "right PIN resets the counter"
pkcs15-tool --verify-pin --auth-id 02 --pin "$wrong_sign" > "$work/v" 2>&1 && fail "wrong sign PIN accepted"
expect_tries sign 4 "after a wrong sign PIN"
pkcs15-tool --verify-pin --auth-id 02 --pin "$lower_sign" > "$work/v" 2>&1 && pass "sign PIN in lower case verifies" \
	|| fail "sign PIN in lower case refused"
expect_tries sign 5 "after the right sign PIN"

# ---- change PIN ------------------------------------------------------------
new_auth=$(printf '%04d' $(( (1$auth_pin + 4321) % 10000 )))
before=$(stat ins_24)
pkcs15-tool --change-pin --auth-id 01 --pin "$auth_pin" --new-pin 12 > "$work/c" 2>&1 && fail "impossible new PIN accepted"
[ "$(stat ins_24)" = "$before" ] && pass "impossible new auth PIN not sent" \
	|| fail "impossible new auth PIN reached the card"
expect_tries auth 3 "after refused change"
# A character the PIN cannot hold: a new value is "invalid data" (the current
# one was right: "incorrect" would send the user to try others); a current
# value is "incorrect", with the card's real count of tries, not -1.
rc=0
pkcs15-tool --change-pin --auth-id 01 --pin "$auth_pin" --new-pin 12a4 > "$work/c" 2>&1 </dev/null || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'PIN code change failed: Invalid data' "$work/c" && ! grep -q 'incorrect' "$work/c" &&
	[ "$(stat ins_24)" = "$before" ]; then
	pass "new auth PIN 12a4: exit $rc, '$(grep -m1 failed "$work/c")', not sent"
else
	fail "new auth PIN 12a4: exit $rc, $(tr '\n' ' ' <"$work/c")"
fi
rc=0
pkcs15-tool --change-pin --auth-id 01 --pin 12a4 --new-pin "$new_auth" > "$work/c" 2>&1 </dev/null || rc=$?
if [ "$rc" -eq 3 ] && grep -q 'PIN code incorrect; tries left: 3$' "$work/c" && [ "$(stat ins_24)" = "$before" ]; then
	pass "current auth PIN 12a4: exit 3, 'PIN code incorrect; tries left: 3' (the card's count)"
else
	fail "current auth PIN 12a4: exit $rc, $(tr '\n' ' ' <"$work/c")"
fi
expect_tries auth 3 "after the refused values"
pkcs15-tool --change-pin --auth-id 01 --pin "$auth_pin" --new-pin "$new_auth" > "$work/c" 2>&1 \
	&& pass "auth PIN changed" || { fail "change auth PIN"; cat "$work/c" >&2; }
pkcs15-tool --verify-pin --auth-id 01 --pin "$new_auth" > /dev/null 2>&1 && pass "new auth PIN verifies" \
	|| fail "new auth PIN refused"
pkcs15-tool --change-pin --auth-id 01 --pin "$new_auth" --new-pin "$auth_pin" > /dev/null 2>&1 \
	&& pass "auth PIN changed back" || fail "change auth PIN back"
expect_tries auth 3 "after the changes"
new_sign=$(echo "${sign_pin}9" | cut -c1-16)
pkcs15-tool --change-pin --auth-id 02 --pin "$sign_pin" --new-pin "$(echo "$new_sign" | tr A-Z a-z)" > "$work/c" 2>&1 \
	&& pass "sign PIN changed (new value typed in lower case)" || fail "change sign PIN"
pkcs15-tool --verify-pin --auth-id 02 --pin "$new_sign" > /dev/null 2>&1 && pass "new sign PIN verifies upper case" \
	|| fail "new sign PIN refused"
pkcs15-tool --change-pin --auth-id 02 --pin "$new_sign" --new-pin "$sign_pin" > /dev/null 2>&1 \
	&& pass "sign PIN changed back" || fail "change sign PIN back"

# ---- PKCS#11 ---------------------------------------------------------------
pkcs11-tool --module "$p11" -L > "$work/L" 2>&1 || fail "pkcs11-tool -L exit status"
contains "$work/L" "JPKI (User Authentication PIN)" "-L lists the authentication token"
contains "$work/L" "JPKI (Digital Signature PIN)" "-L lists the signature token"
serial=$(sed -n 's/^ *serial num *: *//p' "$work/L" | head -n 1)
case "$(fact auth_serial)" in *"$serial") [ -n "$serial" ] && pass "PKCS#11 serial from the certificate" ;;
	*) fail "PKCS#11 serial '$serial'" ;; esac
grep -q "serial num *: 00000000$" "$work/L" && fail "serial 00000000"
pkcs11-tool --module "$p11" -O > "$work/O" 2>&1 || fail "pkcs11-tool -O exit status"
contains "$work/O" "User Authentication Certificate" "-O lists certificates"
# 0.27's pkcs11-tool pads the key type: "RSA  2048 bits".
grep -Eq 'Public Key Object; RSA +2048 bits' "$work/O" && pass "-O lists the public key" \
	|| fail "-O lists the public key: no 'Public Key Object; RSA 2048 bits' in output"
printf 'signed by the virtual card\n' > "$work/data"
for hash in SHA1 SHA256 SHA384 SHA512; do
	lower=$(echo "$hash" | tr A-Z a-z)
	pkcs11-tool --module "$p11" --slot-index 0 --login --pin "$auth_pin" --sign --id 01 \
		-m "$hash-RSA-PKCS" -i "$work/data" -o "$work/sig1" > /dev/null 2>&1
	openssl dgst "-$lower" -verify "$work/pub1.pem" -signature "$work/sig1" "$work/data" > /dev/null 2>&1 \
		&& pass "key 1 $hash-RSA-PKCS signature verifies" || fail "key 1 $hash signature"
	rm -f "$work/sig1" "$work/sig2"
	pkcs11-tool --module "$p11" --slot-index 1 --login --pin "$sign_pin" --sign --id 02 \
		-m "$hash-RSA-PKCS" -i "$work/data" -o "$work/sig2" > /dev/null 2>&1
	openssl dgst "-$lower" -verify "$work/pub2.pem" -signature "$work/sig2" "$work/data" > /dev/null 2>&1 \
		&& pass "key 2 $hash-RSA-PKCS signature verifies" || fail "key 2 $hash signature"
done
pkcs11-tool --module "$p11" --slot-index 1 -O --login --pin "$sign_pin" > "$work/O2" 2>&1
awk '/Private Key Object/{f=1} f' "$work/O2" | grep -q "always authenticate" \
	&& pass "signature key needs a PIN per signature (CKA_ALWAYS_AUTHENTICATE)" || fail "no always-authenticate"
expect_tries auth 3 "after signing"
expect_tries sign 5 "after signing"

# ---- blocking (last: it cannot be undone) --------------------------------
for i in 1 2 3; do
	pkcs15-tool --verify-pin --auth-id 01 --pin "$wrong_auth" > "$work/v" 2>&1
done
expect_tries auth 0 "after three wrong auth PINs"
contains "$work/v" "Authentication method blocked" "the third wrong PIN reports the PIN blocked"
pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" > "$work/v" 2>&1 && fail "blocked PIN verified"
contains "$work/v" "blocked" "a blocked PIN is reported as blocked"
pkcs15-tool --list-pins > "$work/pins" 2>&1
contains "$work/pins" "Tries left     : 0" "--list-pins shows 0 tries left"

echo "[$label]: $failures failure(s)"
[ "$failures" -eq 0 ]
