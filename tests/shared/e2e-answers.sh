#!/bin/sh
# Issue 11, part 5 (and the pin_cache_ignore_user_consent half of part 1) end
# to end: the answers a PKCS#11 application gets (p11step.py, PyKCS11 over
# the stock opensc-pkcs11.so, plugin-first), each with the card's APDU trace:
# where no APDU is due, the trace has no new line across the call.
#
#   answers        (card_info = yes, card_info_pkcs11 = yes)
#     - C_Login with PINs that cannot be right, on each token: a character the
#       PIN cannot hold (12a4; ABC#12 for the signature PIN) ->
#       CKR_PIN_INCORRECT, a wrong length (123, 12345; 12345 and 17
#       characters for the signature PIN) -> CKR_PIN_LEN_RANGE; no APDU, no
#       try spent.
#     - the real tries stay visible: after one well-formed wrong
#       authentication PIN (one VERIFY refused 63 C2, 2 tries left),
#       C_GetTokenInfo shows CKF_USER_PIN_COUNT_LOW and pkcs15-tool
#       --list-pins 2; impossible PINs then change neither; the right PIN
#       gives back 3 and clears the flag.
#     - C_GenerateRandom on each token: CKR_FUNCTION_NOT_SUPPORTED or
#       CKR_RANDOM_NO_RNG, no APDU (no GET CHALLENGE); CKF_RNG not claimed.
#     - C_Sign with CKM_RSA_PKCS, 2048-bit keys: 246 bytes (k - 10) ->
#       CKR_DATA_LEN_RANGE, no APDU; 245 bytes (k - 11) -> a signature whose
#       PKCS#1 v1.5 recovery with the certificate's key gives the input back.
#       Key 01 after C_Login; key 02 after C_SignInit + context login.
#   two-tokens     (same configuration) one process, three sessions: the
#                  card-info token logged in and its five values read; then the
#                  authentication token (C_Login + C_Sign) and the signature
#                  token (context login + C_Sign) used; the card-info session
#                  still reports CKS_RW_USER_FUNCTIONS and reads the same five
#                  values with no VERIFY sent; after C_Logout it reports
#                  CKS_RW_PUBLIC_SESSION and the objects are gone.
#   two-tokens-late    the same, the first read only after the other tokens
#                  were used.
#   pin-cache-consent  (pin_cache_ignore_user_consent = true) C_Login(USER)
#                  on the signature token, then 3 x C_SignInit + C_Sign with key
#                  02 and no context login: 3 signatures that verify with
#                  certificate 02; on the card exactly 3 VERIFYs of the
#                  signature PIN with data and 3 COMPUTE DIGITAL SIGNATUREs,
#                  in the order VERIFY, SIGN, VERIFY, SIGN, VERIFY, SIGN (one
#                  verification per signature); after them another process's
#                  SELECT JPKI AP + SELECT 001A + 80 2A meets 69 82. Run with
#                  the default card and with reselect_clears_pin=no (a card
#                  that keeps a verified PIN when its AP is selected again,
#                  so only then the 69 82 shows the PIN was not left verified).
#                  Right after the C_Login, before any signature, that raw
#                  signature (and SELECT 001A + 80 2A without the AP SELECT)
#                  is refused too.
#   pin-cache-default  (OpenSC's default) the same C_Login(USER) + C_Sign:
#                  CKR_USER_NOT_LOGGED_IN and no 80 2A: the switch is what
#                  allows it.
#   truncate-crypt, truncate-p11  (jpki-sim's truncate_apdu=N,
#                  truncate_after=100: the answer to the COMPUTE DIGITAL
#                  SIGNATURE, N found by a probe run of the same steps, cut to
#                  100 bytes + 90 00) pkcs15-crypt --sign --key 01 exits
#                  non-zero, PyKCS11's C_Sign with key 01 (after C_Login)
#                  answers an error, never the cut answer as a signature (a
#                  signature is accepted only when the card was asked again
#                  and answered in full, and it verifies with certificate 01).
#
# Exit status 0 when every check passes, 1 otherwise (never 77).
set -eu
me=e2e-answers
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup
	shared_private_module
	self=$here/e2e-answers.sh
	shared_conf "$outer_work/card-info.conf" --card-info --card-info-pkcs11
	shared_conf "$outer_work/pin-cache.conf" --pin-cache-ignore-user-consent
	shared_run_case "$self" answers --conf "$outer_work/card-info.conf"
	shared_run_case "$self" two-tokens --conf "$outer_work/card-info.conf"
	shared_run_case "$self" two-tokens-late --conf "$outer_work/card-info.conf"
	shared_run_case "$self" pin-cache-consent --conf "$outer_work/pin-cache.conf"
	shared_run_case "$self" pin-cache-consent --conf "$outer_work/pin-cache.conf" --set reselect_clears_pin=no
	shared_run_case "$self" pin-cache-default
	# Which APDU is the signature's: a probe run in a fresh card finds its
	# number in the trace, the same steps in another fresh card then get it cut.
	for way in crypt p11; do
		shared_run_case "$self" "truncate-$way-probe"
		n=$(cat "$dir/sign-apdu" 2>/dev/null || true)
		shared_run_case "$self" "truncate-$way" --set "truncate_apdu=${n:-0}" --set truncate_after=100
	done
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
case_name=$2
shared_inside_setup "$3"
INFO_TOKEN='Card Info Input Support PIN'
SIGN_TOKEN='Digital Signature PIN'
SIGN_OK='^#[0-9]+ 80 2A .*=> [0-9]+ bytes \+ 90 00'
ANY_SIGN='^#[0-9]+ 80 2A '

fact() {
	sed -n "s/^$1=//p" "$JPKI_IDENTITY/facts"
}

# One client command that must get a given answer with no APDU on the card
# and no try spent. The expected answer is a prefix of the reply; several
# may be given as A|B.
no_apdu() { # check, expected answer(s), command...
	check=$1
	want=$2
	shift 2
	from=$(($(trace_lines) + 1))
	before=$(all_tries)
	step "$@" || true
	sent=$(($(trace_lines) + 1 - from))
	after=$(all_tries)
	matched=no
	old_ifs=$IFS
	IFS='|'
	for answer in $want; do
		case $reply in "$answer"*) matched=yes ;; esac
	done
	IFS=$old_ifs
	what="$*"
	[ "$1" != login ] || what="login <PIN of ${#2} characters>"
	if [ "$matched" = yes ] && [ "$sent" -eq 0 ] && [ "$after" = "$before" ]; then
		shared_ok "$check: $what -> $reply, no APDU, tries $after"
	else
		shared_bad "$check" "$what: '$reply' (expected $want), $sent APDU(s): $(tail -n +"$from" "$trace" | cut -c1-40 | tr '\n' ';'), tries $before -> $after"
	fi
}

# C_GetTokenInfo flags of the current session's token.
token_flags() {
	if step token-info; then
		echo "${reply#ok }"
	else
		echo "ERROR:$reply"
	fi
}
has_flag() { # flags, flag
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# pkcs15-tool --list-pins (another process): a PIN's tries left.
listed_tries() { # PIN label
	pkcs15-tool --list-pins </dev/null 2>/dev/null |
		sed -n "/^PIN \[$1\]/,/^\$/s/^[[:space:]]*Tries left[[:space:]]*: //p"
}

# CKM_RSA_PKCS: the input comes back out of the signature with the
# certificate's public key (PKCS#1 v1.5 type 1).
raw_signature_ok() { # signature, input, certificate public key
	openssl pkeyutl -verifyrecover -pubin -inkey "$3" -in "$1" -out "$1.recovered" 2>/dev/null &&
		cmp -s "$1.recovered" "$2"
}

case $case_name in
answers)
	head -c 246 /dev/urandom >"$work/in246"
	head -c 245 /dev/urandom >"$work/in245"
	wrong_auth=$(printf '%s\n' "$auth_pin" | awk '{ printf "%d%s", (substr($0, 1, 1) + 1) % 10, substr($0, 2) }')

	client_start 01
	# --- the authentication token ---
	flags=$(token_flags)
	if has_flag "$flags" CKF_RNG; then
		shared_bad rng-flag "the authentication token claims CKF_RNG ($flags)"
	else
		shared_ok "rng-flag: the authentication token does not claim CKF_RNG"
	fi
	no_apdu random-01 "err CKR_FUNCTION_NOT_SUPPORTED|err CKR_RANDOM_NO_RNG" random 16
	no_apdu login-01-character "err CKR_PIN_INCORRECT" login 12a4
	no_apdu login-01-short "err CKR_PIN_LEN_RANGE" login 123
	no_apdu login-01-long "err CKR_PIN_LEN_RANGE" login 12345

	# One real wrong PIN: the card counts it, the application can see it.
	from=$(($(trace_lines) + 1))
	step login "$wrong_auth" || true
	case $reply in
		"err CKR_PIN_INCORRECT"*) ;;
		*) shared_bad wrong-01 "C_Login with a wrong 4-digit PIN: '$reply', expected CKR_PIN_INCORRECT" ;;
	esac
	refused=$(tail -n +"$from" "$trace" | grep -Ec '^#[0-9]+ 00 20 00 80 04 .*=> 63 C2' || true)
	if [ "$refused" -eq 1 ] && [ "$(tries auth)" = 2 ]; then
		shared_ok "wrong-01: a well-formed wrong PIN reaches the card once (63 C2), 2 tries left"
	else
		shared_bad wrong-01 "VERIFYs answered 63 C2: $refused, tries_auth $(tries auth) (expected 1 and 2)"
	fi
	visible_tries() { # check, expected tries
		flags=$(token_flags)
		listed=$(listed_tries "User Authentication PIN")
		low=no
		has_flag "$flags" CKF_USER_PIN_COUNT_LOW && low=yes
		want_low=no
		[ "$2" = 3 ] || want_low=yes
		if [ "$low" = "$want_low" ] && ! has_flag "$flags" CKF_USER_PIN_LOCKED && [ "$listed" = "$2" ]; then
			shared_ok "$1: card $(tries auth) tries; C_GetTokenInfo CKF_USER_PIN_COUNT_LOW: $low; pkcs15-tool --list-pins: $listed"
		else
			shared_bad "$1" "card $(tries auth) tries; C_GetTokenInfo flags $flags; pkcs15-tool --list-pins '$listed' (expected $2)"
		fi
	}
	visible_tries tries-visible 2
	no_apdu login-01-character-after "err CKR_PIN_INCORRECT" login 12a4
	no_apdu login-01-short-after "err CKR_PIN_LEN_RANGE" login 123
	visible_tries tries-unchanged 2
	if step login "$auth_pin"; then
		visible_tries tries-reset 3
	else
		shared_bad login-01 "C_Login with the right authentication PIN: $reply"
	fi

	# CKM_RSA_PKCS bounds with key 01 (2048 bits: k - 11 = 245).
	no_apdu sign-01-246 "err CKR_DATA_LEN_RANGE" sign-raw 01 "$work/in246" "$work/sig246"
	if step sign-raw 01 "$work/in245" "$work/sig245" && raw_signature_ok "$work/sig245" "$work/in245" "$work/cert01.pub"; then
		shared_ok "sign-01-245: 245 bytes signed with CKM_RSA_PKCS, recovered with certificate 01"
	else
		shared_bad sign-01-245 "245 bytes with CKM_RSA_PKCS and key 01: $reply"
	fi

	# --- the signature token ---
	if step open sig "$SIGN_TOKEN"; then
		no_apdu random-02 "err CKR_FUNCTION_NOT_SUPPORTED|err CKR_RANDOM_NO_RNG" random 16
		no_apdu login-02-character "err CKR_PIN_INCORRECT" login 'ABC#12'
		no_apdu login-02-short "err CKR_PIN_LEN_RANGE" login 12345
		no_apdu login-02-long "err CKR_PIN_LEN_RANGE" login ABCDEFGHIJ1234567
		if step login "$sign_pin" && step sign-init 02 raw && step context-login "$sign_pin"; then
			no_apdu sign-02-246 "err CKR_DATA_LEN_RANGE" sign-final "$work/in246" "$work/sig246"
		else
			shared_bad sign-02-246 "login, C_SignInit(CKM_RSA_PKCS) or context login: $reply"
		fi
		# A new operation and a new consent for the one that fits.
		step login "$sign_pin" || true # CKR_USER_ALREADY_LOGGED_IN unless OpenSC logged out
		if step sign-init 02 raw && step context-login "$sign_pin" &&
			step sign-final "$work/in245" "$work/sig245-02" &&
			raw_signature_ok "$work/sig245-02" "$work/in245" "$work/cert02.pub"; then
			shared_ok "sign-02-245: 245 bytes signed with CKM_RSA_PKCS and key 02, recovered with certificate 02"
		else
			shared_bad sign-02-245 "245 bytes with CKM_RSA_PKCS and key 02: $reply"
		fi
	else
		shared_bad open-sig "session on the signature token: $reply"
	fi

	# --- the card-info token ---
	if step open info "$INFO_TOKEN"; then
		no_apdu random-03 "err CKR_FUNCTION_NOT_SUPPORTED|err CKR_RANDOM_NO_RNG" random 16
		no_apdu login-03-character "err CKR_PIN_INCORRECT" login 12a4
		no_apdu login-03-short "err CKR_PIN_LEN_RANGE" login 123
		no_apdu login-03-long "err CKR_PIN_LEN_RANGE" login 12345
	else
		shared_bad open-info "session on the card-info token: $reply"
	fi
	client_stop
	shared_expect_pins_intact 1 # the one well-formed wrong PIN
	;;

two-tokens|two-tokens-late)
	objects='My Number:my_number
Name:name
Address:address
Date of Birth:birth
Sex:sex'
	echo "$objects" >"$work/objects"
	read_all() { # check
		all_ok=yes
		while IFS=: read -r label key; do
			rm -f "$work/value"
			printf '%s' "$(fact "$key")" >"$work/expected"
			# shellcheck disable=SC2086 # the label's words go as words
			if ! step read-data "$work/value" $label; then
				shared_bad "$1-$key" "C_GetAttributeValue(CKA_VALUE) of '$label': $reply"
				all_ok=no
			elif ! cmp -s "$work/value" "$work/expected"; then
				shared_bad "$1-$key" "'$label': $(wc -c <"$work/value") bytes, not the card's value"
				all_ok=no
			fi
		done <"$work/objects"
		[ "$all_ok" = no ] || shared_ok "$1: the five card-face values read, each the card's"
	}
	session_state() { # check, expected state
		if step session-state && [ "$reply" = "ok $2" ]; then
			shared_ok "$1: the card-info session reports $2"
		else
			shared_bad "$1" "C_GetSessionInfo: '$reply', expected $2"
		fi
	}

	client_start 01
	step open info "$INFO_TOKEN" || shared_die open-info "session on the card-info token: $reply"
	step login "$text_pin" || shared_die login-03 "C_Login on the card-info token: $reply"
	session_state logged-in CKS_RW_USER_FUNCTIONS
	[ "$case_name" = two-tokens-late ] || read_all read-before

	# The authentication token, then the signature token, in the same process.
	step use main || true
	step login "$auth_pin" || shared_bad login-01 "C_Login on the authentication token: $reply"
	client_sign_01 sign-01 || true
	if step open sig "$SIGN_TOKEN" && step login "$sign_pin" && step sign-init 02 &&
		step context-login "$sign_pin"; then
		new_message
		if step sign-final "$msg" "$msg.sig" && [ "$(signer_of "$msg.sig" "$msg")" = 02 ]; then
			shared_ok "sign-02: a key-02 signature that verifies with certificate 02"
		else
			shared_bad sign-02 "C_Sign with key 02: $reply"
		fi
	else
		shared_bad sign-02 "signature token, login, C_SignInit or context login: $reply"
	fi

	# Back to the card-info session: what it reports, it can do.
	step use info || true
	session_state still-logged-in CKS_RW_USER_FUNCTIONS
	from=$(($(trace_lines) + 1))
	read_all read-after
	verifies=$(trace_verifies_since "$from" 0011)
	sent=$(($(trace_lines) + 1 - from))
	if [ "$verifies" -eq 0 ] && [ "$(tries text)" = 3 ]; then
		shared_ok "read-after: no VERIFY of the text PIN for it ($sent APDU(s) in all), tries_text 3"
	else
		shared_bad read-after-verify "$verifies VERIFY(s) of the text PIN with data for the reads, tries_text $(tries text)"
	fi

	# The authentication session carries on after the card-info reads.
	step use main || true
	client_sign_01 sign-01-again || true

	# Logout ends it: the values go with the login.
	step use info || true
	if step logout; then
		session_state logged-out CKS_RW_PUBLIC_SESSION
		if step read-data "$work/value" Name; then
			shared_bad after-logout "'Name' still readable after C_Logout"
		else
			case $reply in
				"err NOOBJECT"*) shared_ok "after-logout: the data objects are gone with the login" ;;
				*) shared_bad after-logout "'Name' after C_Logout: '$reply', expected the object to be gone" ;;
			esac
		fi
	else
		shared_bad logout "C_Logout on the card-info session: $reply"
	fi
	client_stop
	shared_expect_pins_intact
	;;

pin-cache-consent)
	client_start 02
	from=$(($(trace_lines) + 1))
	step login "$sign_pin" || shared_die login-02 "C_Login(CKU_USER) with the signature PIN: $reply"
	# C_Login is the consent to the first signature, for this session only:
	# the card does not sign for another process right after it (the raw
	# attempt adds no VERIFY to the count below).
	other_raw_sign raw-sign-after-login
	for n in 1 2 3; do
		new_message
		if step sign 02 "$msg" "$msg.sig"; then
			signer=$(signer_of "$msg.sig" "$msg")
			if [ "$signer" = 02 ]; then
				shared_ok "sign-$n: C_SignInit + C_Sign with key 02, no context login: verifies with certificate 02"
			else
				shared_bad "sign-$n" "the signature verifies with: $signer"
			fi
		else
			shared_bad "sign-$n" "C_Sign with key 02 (pin_cache_ignore_user_consent = true, no context login): $reply"
		fi
	done
	verifies=$(trace_verifies_since "$from" 001B)
	signed=$(trace_since "$from" "$SIGN_OK")
	# V: VERIFY of the signature PIN with data; S: a signature.
	events=$(tail -n +"$from" "$trace" | awk '
		$2 == "00" && $3 == "A4" && $4 == "02" { cur = $7 $8 }
		$2 == "00" && $3 == "A4" && $4 == "04" { cur = "" }
		$2 == "00" && $3 == "20" && $4 == "00" && $5 == "80" && $6 ~ /^[0-9A-F][0-9A-F]$/ { if (cur == "001B") printf "V" }
		$2 == "80" && $3 == "2A" && / 90 00$/ { printf "S" }
		END { print "" }')
	# The login's VERIFY (which ends the card's PIN state at once), then one
	# VERIFY right before each signature, in the signature's transaction.
	if [ "$verifies" -eq 4 ] && [ "$signed" -eq 3 ] && [ "$events" = VVSVSVS ]; then
		shared_ok "card: the login's VERIFY, then one VERIFY of the signature PIN right before each of 3 signatures ($events)"
	else
		shared_bad card "VERIFYs of the signature PIN with data: $verifies, signatures: $signed, order $events (expected 4, 3, VVSVSVS)"
	fi
	# The card does not stay able to sign for another process: its SELECT
	# of the JPKI AP and EF 001A, then 80 2A, meet 69 82 (security status).
	new_message
	digest=$(openssl dgst -sha256 -binary "$msg" | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F')
	from=$(($(trace_lines) + 1))
	other_apdus "$SELECT_JPKI" 00A4020C02001A "802A0080333031300D060960864801650304020105000420${digest}00" || true
	sw=$(apdus_last_sw)
	card_sw=$(tail -n +"$from" "$trace" | grep -E "$ANY_SIGN" | tail -n 1 | sed 's/.*=> //')
	if [ "$sw" = 6982 ] && [ "$card_sw" = "69 82" ]; then
		shared_ok "raw-sign: another process's SELECT JPKI AP, SELECT 001A, 80 2A after the signatures: 69 82"
	else
		shared_bad raw-sign "another process's SELECT JPKI AP, SELECT 001A, 80 2A: opensc-tool '$sw', trace '$card_sw', expected 6982"
	fi
	client_stop
	shared_expect_pins_intact
	;;

pin-cache-default)
	client_start 02
	step login "$sign_pin" || shared_die login-02 "C_Login(CKU_USER) with the signature PIN: $reply"
	from=$(($(trace_lines) + 1))
	new_message
	if step sign 02 "$msg" "$msg.sig"; then
		shared_bad default "without pin_cache_ignore_user_consent, C_Sign with key 02 after C_Login(USER) alone signed"
	else
		case $reply in
			"err CKR_USER_NOT_LOGGED_IN"*) shared_ok "default: C_Sign with key 02 after C_Login(USER) alone: CKR_USER_NOT_LOGGED_IN" ;;
			*) shared_bad default "C_Sign with key 02 after C_Login(USER) alone: '$reply', expected CKR_USER_NOT_LOGGED_IN" ;;
		esac
	fi
	sent=$(trace_since "$from" "$ANY_SIGN")
	if [ "$sent" -eq 0 ]; then
		shared_ok "default: no 80 2A reached the card"
	else
		shared_bad default-trace "$sent COMPUTE DIGITAL SIGNATURE(s) reached the card"
	fi
	client_stop
	;;

truncate-*)
	new_message
	from=$(($(trace_lines) + 1))
	case $case_name in
	truncate-crypt*)
		what="pkcs15-crypt --sign --key 01"
		openssl dgst -sha256 -binary "$msg" >"$msg.hash"
		rc=0
		pkcs15-crypt --sign --key 01 --sha-256 --pkcs1 --pin "$auth_pin" -R -i "$msg.hash" -o "$msg.sig" \
			</dev/null >"$work/crypt.out" 2>"$work/crypt.err" || rc=$?
		[ "$rc" -eq 0 ] && signed=yes || signed=no
		answer="exit $rc, $( { wc -c <"$msg.sig"; } 2>/dev/null || echo 0) bytes written: $(tail -n 2 "$work/crypt.err" | tr '\n' ' ')"
		;;
	truncate-p11*)
		what="C_Sign with key 01"
		client_start 01
		step login "$auth_pin" || shared_die login-01 "C_Login with the authentication PIN: $reply"
		from=$(($(trace_lines) + 1))
		step sign 01 "$msg" "$msg.sig" && signed=yes || signed=no
		answer=$reply
		client_stop
		;;
	esac
	sign_line=$(tail -n +"$from" "$trace" | grep -E "$ANY_SIGN" | head -n 1)
	case $case_name in
	*-probe)
		if [ "$signed" = yes ] && [ "$(signer_of "$msg.sig" "$msg")" = 01 ] && [ -n "$sign_line" ]; then
			echo "$sign_line" | sed 's/^#\([0-9]*\) .*/\1/' >"$work/sign-apdu"
			shared_ok "probe: $what signs (certificate 01), its 80 2A is APDU #$(cat "$work/sign-apdu")"
		else
			shared_bad probe "$what without truncation: $answer; 80 2A in the trace: '$sign_line'"
		fi ;;
	*)
		case $sign_line in
			*"=> 100 bytes + 90 00") shared_ok "truncated: the card's answer to the 80 2A is 100 bytes + 90 00" ;;
			*) shared_bad truncate-setup "the 80 2A's answer was not the one cut: '$(echo "$sign_line" | sed 's/ 80 2A .* =>/ 80 2A ... =>/')'" ;;
		esac
		last_sign=$(tail -n +"$from" "$trace" | grep -E "$ANY_SIGN" | tail -n 1)
		if [ "$signed" = no ]; then
			shared_ok "truncated: $what fails ($answer)"
		elif [ "$(signer_of "$msg.sig" "$msg")" = 01 ] && [ "$(trace_since "$from" "$ANY_SIGN")" -ge 2 ] &&
			case $last_sign in *"=> 256 bytes + 90 00") true ;; *) false ;; esac; then
			# OpenSC's PKCS#11 layer asks the card again after the error:
			# what it returns is then a whole signature, not the cut answer.
			shared_ok "truncated: $what: the cut answer refused, the operation asked the card again, the signature returned is the full one (verifies with certificate 01)"
		else
			shared_bad truncated "$what returned success with a 100-byte answer from the card: $answer (verifies with: $(signer_of "$msg.sig" "$msg"); 80 2A sent $(trace_since "$from" "$ANY_SIGN") time(s))"
		fi ;;
	esac
	;;

*) shared_die usage "unknown case $case_name" ;;
esac

shared_inside_end
