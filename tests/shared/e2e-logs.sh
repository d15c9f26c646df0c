#!/bin/sh
# Issue 11, part 4 end to end: with card_info = yes (and card_info_pkcs11 =
# yes for PKCS#11), no card-face value and no PIN reaches OpenSC's debug log
# at debug = 3 or at the level just below SC_LOG_DEBUG_PIN (7 in OpenSC 0.23,
# 8 in 0.26 and 0.27, where the PIN level is 9; configure reads it from the
# tree's log.h), by any read path:
#
#   (a) pkcs15-tool --read-data-object LABEL --verify-pin --auth-id 03 --pin
#       TEXT-PIN --raw: every read succeeds, the value on stdout is the
#       card's (not a PKCS#11 application: the plugin reads with OpenSC's APDU
#       log muted and hands the value to the tool);
#   (b) pkcs11-tool --token-label "Card Info Input Support PIN" --login --pin
#       TEXT-PIN --read-object --type data --label LABEL: refused (OpenSC's
#       PKCS#11 module would log the value in C_GetAttributeValue), no value
#       printed, and the log says why ("card-face data is not handed to a
#       PKCS#11 application while OpenSC's debug log is on");
#   (c) a PyKCS11 application (p11step.py): C_Login + C_Sign with key 01,
#       C_Login + context login + C_Sign with key 02 (the signature
#       certificate, read then, carries name, address, birth date and sex
#       too), C_Login on the card-info token and C_GetAttributeValue(CKA_VALUE)
#       of the five data objects: refused, the same log line.
#   (d) pkcs15-tool --read-certificate 2 and --read-public-key 2, each with
#       --verify-pin --auth-id 02 --pin SIGN-PIN: both succeed (certificate
#       02's key); the signature certificate's subjectAltName carries the
#       name, address and birth date, and none of them reaches the log (debug
#       3 and PIN-1 only; at the PIN level the log is the control's).
# LABEL: My Number, Name, Address, Date of Birth, Sex. Each path writes its
# own log file; tests/shared/logscan.py looks in them for every value of the
# identity's "facts" (my_number, name, address, birth, sex) and "pins" (auth,
# sign, text) files: raw text, hexadecimal across hex-dump lines, 12-byte
# prefixes of long values. Values too short to search alone are searched in
# a distinctive context only: the 4-digit PINs as the data of a VERIFY APDU
# (and as a word on a line about a PIN), the 1-digit sex as its DF 25 TLV and
# as a whole CKA_VALUE (see logscan.py).
#
#   debug3, below-pin  the checks above; every PIN try left at the end.
#   pin-control        debug = SC_LOG_DEBUG_PIN (where OpenSC logs PINs and
#                      the plugin hands values to PKCS#11): (b) and (c)
#                      succeed with the card's values, and logscan.py finds
#                      every value and every PIN in those logs: the search
#                      would see a leak at 3 or PIN-1.
#
# Exit status 0 when every check passes, 1 otherwise (never 77).
set -eu
me=e2e-logs
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup pkcs11-tool
	shared_private_module
	self=$here/e2e-logs.sh
	shared_run_case "$self" debug3
	shared_run_case "$self" below-pin
	shared_run_case "$self" pin-control
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
case_name=$2
shared_inside_setup "$3"
pin_level=${OPENSC_JPKI_LOG_DEBUG_PIN:?run through make check: configure reads SC_LOG_DEBUG_PIN}
case $case_name in
	debug3) level=3 ;;
	below-pin) level=$((pin_level - 1)) ;;
	pin-control) level=$pin_level ;;
	*) shared_die usage "unknown case $case_name" ;;
esac
INFO_TOKEN='Card Info Input Support PIN'
REFUSAL="card-face data is not handed to a PKCS#11 application while OpenSC's debug log is on (debug = $level)"
LOGSCAN=$top_srcdir/tests/shared/logscan.py
# shellcheck source=../lib/tool-output.sh
. "$top_srcdir/tests/lib/tool-output.sh"

fact() {
	sed -n "s/^$1=//p" "$JPKI_IDENTITY/facts"
}
# The five data objects: label and facts key.
OBJECTS='My Number:my_number
Name:name
Address:address
Date of Birth:birth
Sex:sex'

echo "$OBJECTS" >"$work/objects"

# One opensc.conf and one log per path.
for path in pkcs15-tool pkcs15-cert pkcs11-tool app; do
	shared_conf "$work/$path.conf" --card-info --card-info-pkcs11 --debug "$level" --debug-file "$work/$path.log"
	: >"$work/$path.log"
done

# A file holding exactly the expected value (no newline).
expected_file() { # facts key
	printf '%s' "$(fact "$1")" >"$work/expected"
}
# Did a failed read print the value? (stdout and stderr)
printed_value() { # stdout, stderr, facts key
	value=$(fact "$3")
	if [ "${#value}" -ge 4 ]; then
		grep -qF -- "$value" "$1" "$2"
	else
		# the sex: a whole line (pkcs11-tool prints values without a newline)
		[ "$(cat "$1")" = "$value" ]
	fi
}
# How many times a log says why card-face data was refused.
refusal_lines() { # log
	grep -cF "$REFUSAL" "$1" || true
}

# ---- (a) pkcs15-tool --------------------------------------------------------------
if [ "$level" -ne "$pin_level" ]; then
	while IFS=: read -r label key; do
		expected_file "$key"
		if OPENSC_CONF=$work/pkcs15-tool.conf pkcs15-tool --read-data-object "$label" --verify-pin --auth-id 03 \
			--pin "$text_pin" --raw </dev/null >"$work/read.out" 2>"$work/read.err"; then
			tool_stdout "$work/read.out" >"$work/read.value"
			if cmp -s "$work/read.value" "$work/expected"; then
				shared_ok "pkcs15-tool: '$label' read at debug = $level, the card's value"
			else
				shared_bad "pkcs15-tool-$key" "'$label' at debug = $level: $(wc -c <"$work/read.out") bytes, not the card's value"
			fi
		else
			shared_bad "pkcs15-tool-$key" "reading '$label' at debug = $level failed: $(tail -n 2 "$work/read.err" | tr '\n' ' ')"
		fi
	done <"$work/objects"
fi

# ---- (d) pkcs15-tool: certificate 2 and public key 2 (subjectAltName) -----------------
if [ "$level" -ne "$pin_level" ]; then
	if OPENSC_CONF=$work/pkcs15-cert.conf pkcs15-tool --read-certificate 2 --verify-pin --auth-id 02 \
		--pin "$sign_pin" </dev/null >"$work/cert.out" 2>"$work/cert.err" &&
		openssl x509 -in "$work/cert.out" -noout -pubkey >"$work/cert.pub" 2>/dev/null &&
		cmp -s "$work/cert.pub" "$work/cert02.pub"; then
		shared_ok "pkcs15-tool: certificate 2 read at debug = $level, certificate 02"
	else
		shared_bad pkcs15-tool-cert2 "--read-certificate 2 at debug = $level: $(tail -n 2 "$work/cert.err" | tr '\n' ' ')"
	fi
	if OPENSC_CONF=$work/pkcs15-cert.conf pkcs15-tool --read-public-key 2 --verify-pin --auth-id 02 \
		--pin "$sign_pin" </dev/null >"$work/pubkey.out" 2>"$work/pubkey.err" &&
		openssl pkey -pubin -in "$work/pubkey.out" >"$work/pubkey.pem" 2>/dev/null &&
		cmp -s "$work/pubkey.pem" "$work/cert02.pub"; then
		shared_ok "pkcs15-tool: public key 2 read at debug = $level, certificate 02's key"
	else
		shared_bad pkcs15-tool-pubkey2 "--read-public-key 2 at debug = $level: $(tail -n 2 "$work/pubkey.err" | tr '\n' ' ')"
	fi
fi

# ---- (b) pkcs11-tool ----------------------------------------------------------------
while IFS=: read -r label key; do
	expected_file "$key"
	rc=0
	before=$(refusal_lines "$work/pkcs11-tool.log")
	OPENSC_CONF=$work/pkcs11-tool.conf pkcs11-tool --module "$SHARED_MODULE" --token-label "$INFO_TOKEN" \
		--login --pin "$text_pin" --read-object --type data --label "$label" \
		</dev/null >"$work/read.out" 2>"$work/read.err" || rc=$?
	if [ "$level" -eq "$pin_level" ]; then
		if [ "$rc" -eq 0 ] && cmp -s "$work/read.out" "$work/expected"; then
			shared_ok "pkcs11-tool: '$label' read at debug = $level, the card's value"
		else
			shared_bad "pkcs11-tool-$key" "'$label' at debug = $level: exit $rc, $(wc -c <"$work/read.out") bytes $(tail -n 2 "$work/read.err" | tr '\n' ' ')"
		fi
	elif [ "$rc" -ne 0 ] && ! printed_value "$work/read.out" "$work/read.err" "$key"; then
		# Refused for the right reason: a run that failed otherwise (no token
		# found, say) would pass unseen without its own refusal line.
		if [ "$(refusal_lines "$work/pkcs11-tool.log")" -gt "$before" ]; then
			shared_ok "pkcs11-tool: '$label' at debug = $level refused (exit $rc: $(grep -m1 'error' "$work/read.err" || true)), nothing printed, the log says why"
		else
			shared_bad "pkcs11-tool-$key" "'$label' at debug = $level: exit $rc without the refusal line in the log: $(tail -n 2 "$work/read.err" | tr '\n' ' ')"
		fi
	else
		shared_bad "pkcs11-tool-$key" "'$label' at debug = $level: exit $rc, $(wc -c <"$work/read.out") bytes on stdout"
	fi
done <"$work/objects"

# ---- (c) a PyKCS11 application -------------------------------------------------------
OPENSC_CONF=$work/app.conf
export OPENSC_CONF
client_start 01
step login "$auth_pin" || shared_bad app-login-01 "C_Login with the authentication PIN: $reply"
client_sign_01 app-sign-01 || true
if step open sig Digital Signature PIN && step login "$sign_pin" && step sign-init 02 &&
	step context-login "$sign_pin"; then
	new_message
	if step sign-final "$msg" "$msg.sig" && [ "$(signer_of "$msg.sig" "$msg")" = 02 ]; then
		shared_ok "app-sign-02: a key-02 signature that verifies with certificate 02"
	else
		shared_bad app-sign-02 "C_Sign with key 02: $reply, verifies with: $(signer_of "$msg.sig" "$msg" 2>/dev/null)"
	fi
else
	shared_bad app-sign-02 "signature token, login, C_SignInit or context login: $reply"
fi
if step open info "$INFO_TOKEN" && step login "$text_pin"; then
	while IFS=: read -r label key; do
		expected_file "$key"
		rm -f "$work/value"
		before=$(refusal_lines "$work/app.log")
		# shellcheck disable=SC2086 # the label's words go as words
		if step read-data "$work/value" $label; then
			if [ "$level" -eq "$pin_level" ] && cmp -s "$work/value" "$work/expected"; then
				shared_ok "app: '$label' read at debug = $level, the card's value"
			else
				shared_bad "app-$key" "'$label' at debug = $level: C_GetAttributeValue(CKA_VALUE) gave $(wc -c <"$work/value") bytes$([ "$level" -eq "$pin_level" ] && echo ', not the card value' || echo ', expected a refusal')"
			fi
		elif [ "$level" -eq "$pin_level" ]; then
			shared_bad "app-$key" "'$label' at debug = $level: $reply"
		elif [ "$(refusal_lines "$work/app.log")" -gt "$before" ]; then
			shared_ok "app: '$label' at debug = $level refused ($reply), the log says why"
		else
			shared_bad "app-$key" "'$label' at debug = $level: refused ($reply) without the refusal line in the log"
		fi
	done <"$work/objects"
else
	shared_bad app-login-03 "card-info token, C_Login with the text PIN: $reply"
fi
client_stop

# ---- the logs --------------------------------------------------------------------------
logs="$work/pkcs11-tool.log $work/app.log"
[ "$level" -eq "$pin_level" ] || logs="$work/pkcs15-tool.log $work/pkcs15-cert.log $logs"
for log in $logs; do
	# The scan means something only where OpenSC logged the card's answers.
	apdus=$(grep -c '^Incoming APDU' "$log" || true)
	if [ "$apdus" -gt 0 ]; then
		shared_ok "$(basename "$log"): $(wc -l <"$log") lines at debug = $level, $apdus card answers logged"
	else
		shared_bad "log-$(basename "$log")" "no card answer logged at debug = $level: the scan would prove nothing"
	fi
done
rc=0
# shellcheck disable=SC2086 # the list of logs
if [ "$level" -eq "$pin_level" ]; then
	"$SHARED_PYTHON" "$LOGSCAN" --identity "$JPKI_IDENTITY" --expect my_number --expect name --expect address \
		--expect birth --expect sex --expect pin_auth --expect pin_sign --expect pin_text $logs \
		>"$work/scan.out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		shared_ok "control: at debug = $level logscan.py finds every card-face value and every PIN ($(sed 's/^found \([a-z_]*\) \([A-Za-z0-9-]*\) .*/\1:\2/' "$work/scan.out" | sort -u | tr '\n' ' '))"
	else
		shared_bad control "at debug = $level logscan.py misses: $(grep '^missing\|logscan' "$work/scan.out" | tr '\n' ' ')"
	fi
else
	"$SHARED_PYTHON" "$LOGSCAN" --identity "$JPKI_IDENTITY" $logs >"$work/scan.out" 2>&1 || rc=$?
	case $rc in
		0) shared_ok "no card-face value and no PIN in the logs at debug = $level (pkcs15-tool data objects, certificate 2 and public key 2, pkcs11-tool, PyKCS11)" ;;
		1) while read -r line; do
			shared_bad leak "$line"
		done <"$work/scan.out" ;;
		*) shared_bad logscan "logscan.py failed: $(cat "$work/scan.out")" ;;
	esac
fi

shared_expect_pins_intact
shared_inside_end
