#!/bin/sh
# Issue 11 end to end: the signature key (ID 02) signs only right after its own
# PIN, once per signature (CKA_ALWAYS_AUTHENTICATE, PKCS#11's context-specific
# login), and the card is never left able to sign for anyone else. One PKCS#11
# session (p11step.py over the stock opensc-pkcs11.so, plugin-first) on the
# signature token; the card's APDU trace (--trace) shows what reached it.
#
#   user-login-only   C_Login(CKU_USER) with the signature PIN, then C_SignInit
#                     + C_Sign with key 02: CKR_USER_NOT_LOGGED_IN, and no
#                     COMPUTE DIGITAL SIGNATURE (80 2A) from it in the trace.
#   raw-sign-after-user-login  between that C_Login and that C_Sign, the same
#                     raw attempts as raw-sign below: refused.
#   context-login     (C_Login(CKU_USER) again: OpenSC logs the slot out after
#                     a CKR_USER_NOT_LOGGED_IN) C_SignInit +
#                     C_Login(CKU_CONTEXT_SPECIFIC, signature PIN) + C_Sign:
#                     ok, exactly one 80 2A answered 90 00, and the signature
#                     verifies with certificate 02.
#   second-sign       C_SignInit + C_Sign again without a new context login:
#                     CKR_USER_NOT_LOGGED_IN, no 80 2A answered 90 00.
#   raw-sign          the session still open, another process (opensc-tool
#                     with the "default" driver, so no APDU of its own) sends
#                     SELECT JPKI AP, SELECT EF 001A, 80 2A <SHA-256
#                     DigestInfo> 00: the card answers 69 82. And without the
#                     AP SELECT (SELECT EF 001A, 80 2A): no signature either.
#   again             after that, context login + C_Sign still works once.
#   *-window          in context-login and again, between the context login
#                     and its C_Sign, the raw attempts of raw-sign are refused
#                     (the consent is not left on the card for another
#                     process), and the C_Sign then still signs once.
#   text-pin          (card_info = yes, card_info_pkcs11 = yes) another
#                     process's raw SELECT text AP, SELECT EF 0001, READ
#                     BINARY (and the same without the AP SELECT) meets 69 82
#                     after a pkcs15-tool card-face read has exited, after a
#                     bare pkcs15-tool --verify-pin --auth-id 03, and while a
#                     PKCS#11 session is logged in on the card-info token
#                     (before and after it reads 'My Number'; it still reads
#                     it and still reports CKS_RW_USER_FUNCTIONS).
#   setpin            (card_info = yes, card_info_pkcs11 = yes) C_SetPIN in a
#                     public session (no C_Login) on each token: the
#                     authentication, signature and card-info PINs changed
#                     and changed back; after each C_SetPIN another process's
#                     raw key-01 signature, key-02 signature or My Number read
#                     (as above) meets 69 82: a change is no login, and leaves
#                     no PIN verified on the card. The new values verify, no
#                     try is spent.
#
# Each sequence runs with the default card and with
# reselect_clears_pin=no (a card that keeps a verified PIN when its AP is
# selected again): with the default card the raw AP SELECT alone drops the
# PIN, so only the second run shows the driver did not leave it verified.
#
# Exit status 0 when every check passes, 1 otherwise (never 77).
set -eu
me=e2e-consent
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup
	self=$here/e2e-consent.sh
	shared_run_case "$self" consent
	shared_run_case "$self" consent-reselect-keeps-pin --set reselect_clears_pin=no
	shared_conf "$outer_work/card-info.conf" --card-info --card-info-pkcs11
	shared_run_case "$self" text-pin --conf "$outer_work/card-info.conf"
	shared_run_case "$self" text-pin-reselect-keeps-pin --conf "$outer_work/card-info.conf" --set reselect_clears_pin=no
	shared_run_case "$self" setpin --conf "$outer_work/card-info.conf"
	shared_run_case "$self" setpin-reselect-keeps-pin --conf "$outer_work/card-info.conf" --set reselect_clears_pin=no
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
case_name=$2
shared_inside_setup "$3"
SIGN_OK='^#[0-9]+ 80 2A .*=> [0-9]+ bytes \+ 90 00'
ANY_SIGN='^#[0-9]+ 80 2A '

case $case_name in
text-pin*)
	# The text-AP PIN is not left verified for another process's raw READ
	# BINARY after a card-face read, after a bare VERIFY, nor while a PKCS#11
	# session is logged in on the card-info token.
	if other card-face; then
		other_raw_text_read text-after-card-face
	fi
	if pkcs15-tool --verify-pin --auth-id 03 --pin "$text_pin" </dev/null >"$work/other.out" 2>"$work/other.err"; then
		other_raw_text_read text-after-verify-03
	else
		shared_bad text-verify-03 "pkcs15-tool --verify-pin --auth-id 03: $(tail -n 3 "$work/other.err" | tr '\n' ' ')"
	fi
	client_start 01
	step open info 'Card Info Input Support PIN' || shared_die text-p11 "session on the card-info token: $reply"
	step login "$text_pin" || shared_die text-p11 "C_Login on the card-info token: $reply"
	other_raw_text_read text-p11-logged-in
	# The session itself still reads, and stays logged in.
	printf '%s' "$my_number" >"$work/expected"
	if step read-data "$work/value" My Number && cmp -s "$work/value" "$work/expected"; then
		shared_ok "text-p11-read: the logged-in session reads 'My Number', the card's value"
	else
		shared_bad text-p11-read "C_GetAttributeValue(CKA_VALUE) of 'My Number': $reply"
	fi
	other_raw_text_read text-p11-after-read
	if step session-state && [ "$reply" = "ok CKS_RW_USER_FUNCTIONS" ]; then
		shared_ok "text-p11-state: the card-info session still reports CKS_RW_USER_FUNCTIONS"
	else
		shared_bad text-p11-state "C_GetSessionInfo: '$reply', expected CKS_RW_USER_FUNCTIONS"
	fi
	client_stop
	shared_expect_pins_intact
	shared_inside_end ;;
setpin*)
	# A new value for each PIN: 4 digits for 01 and 03, none of the card's
	# PINs and not the same for both (a value typed for one PIN is never sent
	# as another, so 03 could not be changed back from 01's new value), 8
	# characters for 02.
	new_auth=""
	new_text=""
	for candidate in 2468 1357 9753 8642; do
		[ "$candidate" != "$auth_pin" ] && [ "$candidate" != "$text_pin" ] || continue
		if [ -z "$new_auth" ]; then new_auth=$candidate; elif [ -z "$new_text" ]; then new_text=$candidate; fi
	done
	client_start 01
	for token in 01 02 03; do
		case $token in
			01) label='User Authentication PIN'; old=$auth_pin; new=$new_auth; other_use() { other_raw_sign "$1" 0017; } ;;
			02) label='Digital Signature PIN'; old=$sign_pin; new=NEWPASS7; other_use() { other_raw_sign "$1"; } ;;
			03) label='Card Info Input Support PIN'; old=$text_pin; new=$new_text; other_use() { other_raw_text_read "$1"; } ;;
		esac
		if ! step open "t$token" "$label"; then
			shared_bad "setpin-$token" "no session on the '$label' token: $reply"
			continue
		fi
		if step setpin "$old" "$new"; then
			shared_ok "setpin-$token: C_SetPIN in a public session on the '$label' token"
		else
			shared_bad "setpin-$token" "C_SetPIN on the '$label' token: $reply"
			continue
		fi
		other_use "setpin-$token-after-change"
		if pkcs15-tool --verify-pin --auth-id "$token" --pin "$new" </dev/null >"$work/v.out" 2>&1; then
			shared_ok "setpin-$token-new: the new value verifies (another process)"
		else
			shared_bad "setpin-$token-new" "the new value does not verify: $(tail -n 2 "$work/v.out" | tr '\n' ' ')"
		fi
		if step setpin "$new" "$old"; then
			shared_ok "setpin-$token-back: changed back"
		else
			shared_bad "setpin-$token-back" "C_SetPIN back: $reply"
		fi
		other_use "setpin-$token-after-change-back"
	done
	client_stop
	shared_expect_pins_intact
	shared_inside_end ;;
consent*) ;;
*) shared_die usage "unknown case $case_name" ;;
esac
client_start 02

# --- user-login-only -------------------------------------------------------------
step login "$sign_pin" || shared_die user-login-only "C_Login(CKU_USER) with the signature PIN: $reply"
# Logged in as USER on the signature token: the card must not sign for
# another process either.
other_raw_sign raw-sign-after-user-login
from=$(($(trace_lines) + 1))
new_message
if step sign 02 "$msg" "$msg.sig"; then
	shared_bad user-login-only "C_Sign with key 02 after C_Login(USER) alone produced a signature (verifies with: $(signer_of "$msg.sig" "$msg"))"
else
	case $reply in
		"err CKR_USER_NOT_LOGGED_IN"*) shared_ok "user-login-only: C_Sign with key 02 after C_Login(USER) alone: CKR_USER_NOT_LOGGED_IN" ;;
		*) shared_bad user-login-only "C_Sign with key 02 after C_Login(USER) alone: '$reply', expected CKR_USER_NOT_LOGGED_IN" ;;
	esac
fi
sent=$(trace_since "$from" "$ANY_SIGN")
if [ "$sent" -eq 0 ]; then
	shared_ok "user-login-only: no 80 2A reached the card"
else
	shared_bad user-login-only-trace "$sent COMPUTE DIGITAL SIGNATURE (80 2A) reached the card: $(tail -n +"$from" "$trace" | grep -E "$ANY_SIGN" | sed 's/ 80 2A 00 80 .* =>/ 80 2A 00 80 ... =>/' | tr '\n' ';')"
fi

# --- context-login ---------------------------------------------------------------
consent_sign() { # check name
	# OpenSC logs the slot out when a C_Sign ends in CKR_USER_NOT_LOGGED_IN
	# (the private key is then hidden): log in again as an application would.
	if ! step login "$sign_pin"; then
		case $reply in
			"err CKR_USER_ALREADY_LOGGED_IN"*) ;;
			*) shared_bad "$1" "C_Login(CKU_USER) with the signature PIN: $reply"; return 1 ;;
		esac
	fi
	from=$(($(trace_lines) + 1))
	new_message
	if ! step sign-init 02; then
		shared_bad "$1" "C_SignInit with key 02: $reply"
		return 1
	fi
	if ! step context-login "$sign_pin"; then
		shared_bad "$1" "C_Login(CKU_CONTEXT_SPECIFIC) with the signature PIN: $reply"
		return 1
	fi
	# The consent is this session's, for its one C_Sign: in between, the
	# card does not sign for another process (the PIN is not left verified).
	other_raw_sign "$1-window"
	if ! step sign-final "$msg" "$msg.sig"; then
		shared_bad "$1" "C_Sign after the context login: $reply"
		return 1
	fi
	signer=$(signer_of "$msg.sig" "$msg")
	signed=$(trace_since "$from" "$SIGN_OK")
	if [ "$signer" = 02 ] && [ "$signed" -eq 1 ]; then
		shared_ok "$1: one signature (one 80 2A on the card), verifies with certificate 02"
		return 0
	fi
	shared_bad "$1" "the signature verifies with: $signer; card signatures in this step: $signed (expected 02 and 1)"
	return 1
}
consent_sign context-login || true

# --- second-sign -----------------------------------------------------------------
from=$(($(trace_lines) + 1))
new_message
if step sign 02 "$msg" "$msg.sig"; then
	shared_bad second-sign "a second C_Sign without a new context login produced a signature (verifies with: $(signer_of "$msg.sig" "$msg"))"
else
	case $reply in
		"err CKR_USER_NOT_LOGGED_IN"*) shared_ok "second-sign: refused with CKR_USER_NOT_LOGGED_IN" ;;
		*) shared_bad second-sign "a second C_Sign without a new context login: '$reply', expected CKR_USER_NOT_LOGGED_IN" ;;
	esac
fi
signed=$(trace_since "$from" "$SIGN_OK")
[ "$signed" -eq 0 ] || shared_bad second-sign-trace "the card signed $signed time(s) for the second C_Sign"

# --- raw-sign ----------------------------------------------------------------------
other_raw_sign raw-sign

# --- again ---------------------------------------------------------------------------
consent_sign again || true
client_stop

shared_expect_pins_intact
shared_inside_end
