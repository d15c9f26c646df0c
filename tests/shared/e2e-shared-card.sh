#!/bin/sh
# Issue 10 end to end: the card is shared. One PKCS#11 session (p11step.py over
# the stock opensc-pkcs11.so, plugin-first) stays open while another process -
# the stock opensc-tool, pkcs15-tool, pkcs15-crypt through the same pcscd -
# selects other APs and EFs, verifies other PINs, signs with the other key and
# reads the card face between the session's steps. Each case runs in a fresh
# virtual card (--card-info: the text AP and its PIN are there).
#
#   interference   (a) logged in on the authentication token, the session signs;
#                  after each kind of interference (raw SELECT of the text AP,
#                  raw re-SELECT of the JPKI AP, raw SELECT of the sign-PIN EF
#                  and of the sign-key EF, pkcs15-tool --dump, --verify-pin
#                  --auth-id 02, pkcs15-crypt --sign --key 02, a card-face read)
#                  its next key-01 signature succeeds and verifies with
#                  certificate 01, never 02; no PIN try is lost. Run twice: with
#                  the default card and with reselect_clears_pin=no (a card
#                  that keeps a verified PIN when its AP is selected again).
#   login          (b) after the other process verified PIN 02 (and, one at a
#                  time, left the sign-PIN EF, the card face or the text-AP PIN
#                  EF current), the session's C_Login with the right
#                  authentication PIN succeeds and no try of any PIN is spent;
#                  the session then signs with key 01 (certificate 01).
#   setpin         (c) for each TRAP in turn, in one card, stopping at the
#                  first that fails: after the other process left TRAP behind
#                  (verify-02: the sign PIN verified; select-sign-pin-ef: EF
#                  001B current; card-face: the text AP; select-text-pin-ef:
#                  EF 0011 current), C_SetPIN on the authentication token changes the
#                  authentication PIN and no other: the new PIN verifies
#                  (pkcs15-tool --auth-id 01), the signature and text-AP PINs
#                  still verify with their old values, no try spent; then the
#                  PIN is changed back by a second C_SetPIN, which comes right
#                  after the other process's text-AP PIN VERIFY (setpin-back).
#   soak           (d) 60 key-01 signatures in one session, another process
#                  running 10 pkcs15-tool --dump and 10 card-face reads between
#                  them (one after every third signature): 60 of 60 verify with
#                  certificate 01, no try lost.
#   survives       (e) the session logged in on the authentication token
#                  survives another process's opensc-tool --reset:
#                  C_GetSessionInfo still answers (CKS_RW_USER_FUNCTIONS,
#                  never CKR_SESSION_HANDLE_INVALID) and the next key-01
#                  signature verifies with certificate 01. Where the release's
#                  opensc-pkcs11 itself closes the sessions of a reset card
#                  (0.27, for every driver; configure reads it), the
#                  session must be closed, and a new one logs in with no try
#                  lost and signs. After a C_Logout on
#                  the signature token in the same process (OpenSC then clears
#                  its PIN cache for the whole card) the session is still there
#                  and, logged in again, signs with key 01.
#
# Exit status 0 when every case passes, 1 otherwise (never 77).
set -eu
me=e2e-shared-card
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup
	self=$here/e2e-shared-card.sh
	shared_run_case "$self" interference --card-info
	shared_run_case "$self" interference-reselect-keeps-pin --card-info --set reselect_clears_pin=no
	shared_run_case "$self" login --card-info
	shared_run_case "$self" setpin --card-info
	shared_run_case "$self" soak --card-info
	shared_run_case "$self" survives --card-info
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
case_name=$2
shared_inside_setup "$3"

# No PIN try may be lost by any of this: the PINs given are all right.
tries_at_start=$(all_tries)
[ "$tries_at_start" = "auth=3 sign=5 text=3" ] ||
	shared_die start "the fresh card's tries are $tries_at_start"

case $case_name in
interference*)
	client_start 01
	step login "$auth_pin" || shared_die login "C_Login(USER) with the authentication PIN: $reply"
	client_sign_01 baseline || shared_die baseline "the session cannot sign even without interference"
	for action in select-text select-jpki select-sign-pin-ef select-sign-key-ef dump verify-02 sign-02 card-face; do
		before=$(all_tries)
		if other "$action"; then
			client_sign_01 "after-$action" || true
		fi
		lost=$(tries_lost "$before" "$(all_tries)")
		[ -z "$lost" ] || shared_bad "tries-$action" "tries lost around the other process's $action: $lost"
	done
	client_stop
	;;

survives)
	still_logged_in() { # check name
		if step session-state; then
			case $reply in
				"ok CKS_RW_USER_FUNCTIONS") shared_ok "$1: C_GetSessionInfo: the authentication session still reports CKS_RW_USER_FUNCTIONS" ;;
				*) shared_bad "$1" "C_GetSessionInfo: '$reply', expected CKS_RW_USER_FUNCTIONS" ;;
			esac
		else
			shared_bad "$1" "C_GetSessionInfo on the authentication session: '$reply' (the session was closed)"
		fi
	}
	client_start 01
	step login "$auth_pin" || shared_die login "C_Login(USER) with the authentication PIN: $reply"
	client_sign_01 baseline || shared_die baseline "the session cannot sign even without interference"
	main=main
	# (1) Another process resets the card.
	if opensc-tool --reset </dev/null >"$work/other.out" 2>"$work/other.err"; then
		if [ "${OPENSC_JPKI_P11_RESET_CLOSES_SESSIONS:?run through make check}" = yes ]; then
			# OpenSC 0.27: its PC/SC reader notices another process's reset
			# and opensc-pkcs11 closes every session of the card, whatever
			# the driver. The application opens a new one and logs in
			# again; no try is lost.
			if step session-state; then
				shared_bad state-after-reset "C_GetSessionInfo: '$reply': this OpenSC closes the sessions of a reset card (configure read it in pkcs11-session.c), yet this one is open"
			else
				case $reply in
					"err CKR_SESSION_HANDLE_INVALID"*) shared_ok "state-after-reset: OpenSC closed the session ($reply), as this release does for any card" ;;
					*) shared_bad state-after-reset "C_GetSessionInfo: '$reply', expected CKR_SESSION_HANDLE_INVALID" ;;
				esac
			fi
			before=$(all_tries)
			if step open again User Authentication PIN && step login "$auth_pin"; then
				[ "$(all_tries)" = "$before" ] && shared_ok "relogin-after-reset: a new session logs in, tries unchanged ($before)" ||
					shared_bad relogin-after-reset "tries $before -> $(all_tries)"
				main=again
			else
				shared_bad relogin-after-reset "a new session and C_Login: $reply"
			fi
		else
			still_logged_in state-after-reset
		fi
		client_sign_01 sign-after-reset || true
	else
		shared_bad other-reset "opensc-tool --reset: $(tail -n 3 "$work/other.out" "$work/other.err" | tr '\n' ' ')"
	fi
	# (2) C_Logout on another token, same process.
	if step open sig Digital Signature PIN && step login "$sign_pin" && step logout; then
		step use "$main" || true
		if step session-state; then
			shared_ok "state-after-other-logout: C_GetSessionInfo answers ($reply): the session is not closed"
		else
			shared_bad state-after-other-logout "C_GetSessionInfo: '$reply' (the session was closed)"
		fi
		printf %s "after the other token's logout" >"$work/m-logout"
		if ! step sign 01 "$work/m-logout" "$work/m-logout.sig"; then
			# OpenSC's C_Logout cleared the cached authentication PIN too.
			step logout || true
			step login "$auth_pin" || shared_bad relogin "C_Login after the other token's C_Logout: $reply"
		fi
		client_sign_01 sign-after-other-logout || true
	else
		shared_bad other-logout "signature token: open, C_Login or C_Logout: $reply"
		step use "$main" || true
	fi
	client_stop
	;;

login)
	client_start 01
	for action in verify-02 select-sign-pin-ef card-face select-text-pin-ef; do
		other "$action" || continue
		before=$(all_tries)
		if step login "$auth_pin"; then
			after=$(all_tries)
			if [ "$after" = "$before" ]; then
				shared_ok "login-after-$action: C_Login(USER) succeeds, tries unchanged ($after)"
			else
				shared_bad "login-after-$action" "C_Login(USER) succeeded but tries went from $before to $after"
			fi
			client_sign_01 "sign-after-login-after-$action" || true
			step logout || shared_bad "logout-after-$action" "C_Logout: $reply"
		else
			shared_bad "login-after-$action" "C_Login(USER) with the right authentication PIN: $reply; tries $before -> $(all_tries)"
		fi
	done
	client_stop
	;;

setpin)
	# A new authentication PIN: 4 digits, neither the old one nor the text-AP PIN.
	new_pin=""
	for candidate in 2468 1357 9753 8642; do
		if [ "$candidate" != "$auth_pin" ] && [ "$candidate" != "$text_pin" ]; then
			new_pin=$candidate
			break
		fi
	done
	client_start 01
	for trap_name in verify-02 select-sign-pin-ef card-face select-text-pin-ef; do
		failures_before=$shared_failures
		other "$trap_name" || break
		before=$(all_tries)
		if step setpin "$auth_pin" "$new_pin"; then
			shared_ok "setpin-$trap_name: C_SetPIN on the authentication token succeeded after $trap_name"
		else
			shared_bad "setpin-$trap_name" "C_SetPIN after $trap_name: $reply; tries $before -> $(all_tries)"
		fi
		lost=$(tries_lost "$before" "$(all_tries)")
		[ -z "$lost" ] || shared_bad "setpin-$trap_name-tries" "C_SetPIN after $trap_name spent tries: $lost"
		# What the card holds now, seen by other processes: only PIN 01 changed.
		if pkcs15-tool --verify-pin --auth-id 01 --pin "$new_pin" </dev/null >"$work/v.out" 2>&1; then
			shared_ok "new-auth-pin-$trap_name: the authentication PIN is the new value"
		else
			shared_bad "new-auth-pin-$trap_name" "the new authentication PIN does not verify: $(tail -n 2 "$work/v.out" | tr '\n' ' ')"
		fi
		if pkcs15-tool --verify-pin --auth-id 02 --pin "$sign_pin" </dev/null >"$work/v.out" 2>&1; then
			shared_ok "sign-pin-unchanged-$trap_name: the signature PIN still verifies with its old value"
		else
			shared_bad "sign-pin-unchanged-$trap_name" "the old signature PIN no longer verifies: $(tail -n 2 "$work/v.out" | tr '\n' ' ')"
		fi
		if pkcs15-tool --verify-pin --auth-id 03 --pin "$text_pin" </dev/null >"$work/v.out" 2>&1; then
			shared_ok "text-pin-unchanged-$trap_name: the text-AP PIN still verifies with its old value"
		else
			shared_bad "text-pin-unchanged-$trap_name" "the old text-AP PIN no longer verifies: $(tail -n 2 "$work/v.out" | tr '\n' ' ')"
		fi
		# Back to the identity's PIN, so the next trap starts from the same card.
		# This C_SetPIN comes right after the other process verified the text-AP
		# PIN: the text AP and its PIN EF are current.
		before=$(all_tries)
		if ! step setpin "$new_pin" "$auth_pin"; then
			shared_bad "setpin-back-$trap_name" "C_SetPIN back to the old PIN, after the other process's text-AP PIN VERIFY: $reply; tries $before -> $(all_tries)"
		elif ! pkcs15-tool --verify-pin --auth-id 01 --pin "$auth_pin" </dev/null >"$work/v.out" 2>&1; then
			shared_bad "setpin-back-$trap_name" "C_SetPIN back said ok, but the old authentication PIN does not verify"
		else
			shared_ok "setpin-back-$trap_name: the authentication PIN is back to its old value (C_SetPIN after a text-AP PIN VERIFY)"
		fi
		lost=$(tries_lost "$before" "$(all_tries)")
		[ -z "$lost" ] || shared_bad "setpin-back-$trap_name-tries" "C_SetPIN back spent tries: $lost"
		if [ "$shared_failures" -ne "$failures_before" ]; then
			shared_note "setpin: the traps after $trap_name are not run: the card's PINs may not be the identity's any more"
			break
		fi
	done
	client_stop
	;;

soak)
	client_start 01
	step login "$auth_pin" || shared_die login "C_Login(USER) with the authentication PIN: $reply"
	verified=0
	n=0
	others=0
	other_kind=dump
	while [ "$n" -lt 60 ]; do
		n=$((n + 1))
		new_message
		if step sign 01 "$msg" "$msg.sig"; then
			signer=$(signer_of "$msg.sig" "$msg")
			if [ "$signer" = 01 ]; then
				verified=$((verified + 1))
			else
				failed=$((n - verified))
				[ "$failed" -gt 5 ] || echo "$me: signature $n verifies with: $signer"
			fi
		else
			failed=$((n - verified))
			[ "$failed" -gt 5 ] || echo "$me: signature $n: $reply"
		fi
		if [ $((n % 3)) -eq 0 ]; then
			others=$((others + 1))
			other "$other_kind" || true
			if [ "$other_kind" = dump ]; then other_kind=card-face; else other_kind=dump; fi
		fi
	done
	client_stop
	if [ "$verified" -eq 60 ]; then
		shared_ok "soak: 60 of 60 signatures verify with certificate 01 ($others other-process runs in between)"
	else
		shared_bad soak "$verified of 60 signatures verify with certificate 01 (the first 5 failures are shown above)"
	fi
	;;

*)
	shared_die usage "unknown case $case_name"
	;;
esac

tries_at_end=$(all_tries)
if [ "$tries_at_end" = "$tries_at_start" ]; then
	shared_ok "tries: $tries_at_end, as at the start"
else
	shared_bad tries "tries went from $tries_at_start to $tries_at_end"
fi
refused=$(refused_verifies)
if [ "$refused" -eq 0 ]; then
	shared_ok "no VERIFY with a PIN was refused by the card (trace)"
else
	shared_bad wrong-verify "$refused VERIFY command(s) with a PIN were refused by the card: $(grep -E '^#[0-9]+ 00 20 00 80 [0-9A-F]{2} .*=> (63 C|69 8[34])' "$trace" | tr '\n' ';')"
fi
shared_inside_end
