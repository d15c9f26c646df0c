#!/bin/sh
# Issue 11, part 3 end to end: a glitch while OpenSC detects the card never
# hands a My Number Card to OpenSC's built-in jpki driver (which sends PINs
# that cannot be right to the card), and a PIN that cannot be right costs
# nothing afterwards. plugin-first configuration (card_drivers = mynumber,
# internal), the stock opensc-tool and pkcs15-tool, a fresh virtual card per
# case; jpki-sim's switches make the glitch: fail_apdu=K fail_sw=XXXX (the
# K-th APDU of the card's life answered XXXX), remove_after=K (the card is
# gone after K APDUs, for good), atr=HEX (an ATR outside the known list).
#
# Who took the card is read from the tools' own words (-v): "Using card
# driver NAME." and opensc-tool's "Card name: NAME". The built-in says
# "JPKI(Japanese Individual Number Cards)" and "jpki", the plugin "My Number
# Card (JPKI), opensc-jpki plugin" and the token kind from EF 0006 ("My Number
# Card (JPKI)"). Two controls show those words are the right ones: the
# built-in configuration, and an unknown ATR whose JPKI SELECT answers 6A82
# (a definite "not a JPKI card": the plugin hands it on, and in this
# simulation the built-in, whose own SELECT then succeeds, takes it).
#
#   builtin-names      control: --conf builtin names the built-in.
#   handed-on          control: unknown ATR, APDU 1 answered 6A82.
#   6f00-first         APDU 1 (the plugin's SELECT of the JPKI AP) answered
#                      6F00: retried (a second SELECT answered 90 00), the
#                      plugin names a My Number Card; then pkcs15-tool
#                      --verify-pin --auth-id 01 --pin 12a4 (a letter in a
#                      4-digit PIN) fails with no VERIFY sent, tries 3, and
#                      pkcs15-tool --list-pins still shows 3.
#   6f00-first-pin     the same glitch inside pkcs15-tool's own detection
#                      (pkcs15-tool --verify-pin is the first process).
#   6f00-second        APDU 2 (the read of EF 0006) answered 6F00.
#   6f00-ef0006-select sfi=no, APDU 3 (SELECT EF 0006) answered 6F00: the
#                      glitch is retried like one on the first APDU, so the
#                      card is named as what it is (My Number Card).
#   6a82-known-atr     known ATR, APDU 1 answered 6A82: a known My Number ATR
#                      is never handed on on one answer; retried, claimed.
#   6f00-unknown-atr   unknown ATR, APDU 1 answered 6F00: not a definite
#                      answer, retried, claimed.
#   removed-1          remove_after=1: the card answers the SELECT and is
#                      gone: opensc-tool never names the built-in, and the
#                      plugin refuses the card with an error ("claimed and
#                      refused"), not a card of unknown kind; the impossible
#                      PIN afterwards: no VERIFY, no try.
#   removed-1-pin      the same with pkcs15-tool --verify-pin first (it fails,
#                      not through the built-in, no VERIFY, no try).
#   removed-1-unknown-atr  remove_after=1 with an ATR outside the list.
#
# Exit status 0 when every check passes, 1 otherwise (never 77).
set -eu
me=e2e-detection
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# An ATR outside the plugin's list and the built-in's (contactless form,
# made-up PUPI, right TCK).
UNKNOWN_ATR=3B88800111223344556677880081

if [ "${1:-}" != "--inside" ]; then
	shared_outer_setup
	shared_private_module
	self=$here/e2e-detection.sh
	shared_run_case "$self" builtin-names --conf builtin
	shared_run_case "$self" handed-on --set atr=$UNKNOWN_ATR --set fail_apdu=1 --set fail_sw=6A82
	shared_run_case "$self" 6f00-first --set fail_apdu=1 --set fail_sw=6F00
	shared_run_case "$self" 6f00-first-pin --set fail_apdu=1 --set fail_sw=6F00
	shared_run_case "$self" 6f00-second --set fail_apdu=2 --set fail_sw=6F00
	shared_run_case "$self" 6f00-ef0006-select --set sfi=no --set fail_apdu=3 --set fail_sw=6F00
	shared_run_case "$self" 6a82-known-atr --set fail_apdu=1 --set fail_sw=6A82
	shared_run_case "$self" 6f00-unknown-atr --set atr=$UNKNOWN_ATR --set fail_apdu=1 --set fail_sw=6F00
	shared_run_case "$self" removed-1 --set remove_after=1
	shared_run_case "$self" removed-1-pin --set remove_after=1
	shared_run_case "$self" removed-1-unknown-atr --set atr=$UNKNOWN_ATR --set remove_after=1
	shared_outer_end
fi

# ---- inside the harness ---------------------------------------------------------
case_name=$2
shared_inside_setup "$3"

BUILTIN_DRIVER='JPKI(Japanese Individual Number Cards)'
BUILTIN_NAME=jpki
PLUGIN_DRIVER='My Number Card (JPKI), opensc-jpki plugin'
MY_NUMBER_CARD='My Number Card (JPKI)'
SELECT_JPKI_LINE='^#[0-9]+ 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01 => '

# The driver that took the card in one tool's run ("" when none did).
driver_of() { # stdout file
	sed -n 's/^Using card driver \(.*\)\.$/\1/p' "$1" | head -n 1
}

# opensc-tool -v -n; sets name_rc, name_driver, name_card.
name_card() {
	name_rc=0
	opensc-tool -v -n </dev/null >"$work/name.out" 2>"$work/name.err" || name_rc=$?
	name_driver=$(driver_of "$work/name.out")
	name_card=$(sed -n 's/^Card name: //p' "$work/name.out" | head -n 1)
	shared_note "opensc-tool -v -n: exit $name_rc, driver '$name_driver', card name '$name_card'"
}
name_errors() {
	grep -v '^P:[0-9]*; T:\|^ \|^$\|^[0-9A-F][0-9A-F] \|^Outgoing\|^Incoming\|^Using reader' "$work/name.err" | tail -n 2 | tr '\n' ' '
}

# The built-in must not have the card (and no driver but the plugin).
check_not_builtin() { # check, driver, card name ("" for a tool without one)
	if [ "$2" = "$BUILTIN_DRIVER" ] || [ "$3" = "$BUILTIN_NAME" ]; then
		shared_bad "$1" "OpenSC's built-in driver took the card (driver '$2', card name '$3')"
	elif [ -n "$2" ] && [ "$2" != "$PLUGIN_DRIVER" ]; then
		shared_bad "$1" "another driver took the card: '$2'"
	else
		shared_ok "$1: not the built-in driver (driver '${2:-none}')"
	fi
}

# opensc-tool -n: the plugin claimed the card and names it as what it is.
expect_named() { # check, card name
	name_card
	check_not_builtin "$1-not-builtin" "$name_driver" "$name_card"
	if [ "$name_rc" -eq 0 ] && [ "$name_driver" = "$PLUGIN_DRIVER" ] && [ "$name_card" = "$2" ]; then
		shared_ok "$1: the plugin took the card: '$name_card'"
	else
		shared_bad "$1" "opensc-tool -v -n: exit $name_rc, driver '$name_driver', card name '$name_card' (expected the plugin and '$2') $(name_errors)"
	fi
}

# opensc-tool -n: the plugin claimed the card and refused it with an error.
expect_refused() { # check
	name_card
	check_not_builtin "$1-not-builtin" "$name_driver" "$name_card"
	if [ "$name_rc" -ne 0 ] && [ -z "$name_driver" ] && grep -q '^Failed to connect to card: ' "$work/name.err"; then
		shared_ok "$1: refused with an error: $(grep '^Failed to connect to card: ' "$work/name.err" | head -n 1)"
	else
		shared_bad "$1" "a card that went away during detection: opensc-tool -v -n exit $name_rc, driver '$name_driver', card name '$name_card' (expected a refusal with an error) $(name_errors)"
	fi
}

# pkcs15-tool --verify-pin with a PIN that cannot be right: refused, by the
# plugin or with no card at all, never by the card: no VERIFY with data in
# the whole trace, no try spent.
impossible_pin() { # check
	before=$(all_tries)
	rc=0
	pkcs15-tool -v --verify-pin --auth-id 01 --pin 12a4 </dev/null >"$work/pin.out" 2>"$work/pin.err" || rc=$?
	pin_driver=$(driver_of "$work/pin.out")
	shared_note "pkcs15-tool -v --verify-pin --auth-id 01 --pin 12a4: exit $rc, driver '${pin_driver:-none}'"
	check_not_builtin "$1-not-builtin" "$pin_driver" ""
	[ "$rc" -ne 0 ] || shared_bad "$1" "pkcs15-tool accepted PIN 12a4"
	after=$(all_tries)
	lost=$(tries_lost "$before" "$after")
	verifies=$(trace_verifies_all)
	if [ -z "$lost" ] && [ "$(tries auth)" = 3 ] && [ "$verifies" -eq 0 ]; then
		shared_ok "$1: PIN 12a4 refused (exit $rc), no VERIFY with data on the card, tries $after"
	else
		shared_bad "$1" "PIN 12a4: tries $before -> $after (lost: ${lost:-none}), VERIFY commands with data in the trace: $verifies"
	fi
}

# pkcs15-tool --list-pins shows the authentication PIN's real tries.
tries_visible() { # check, tries
	if pkcs15-tool --list-pins </dev/null >"$work/pins.out" 2>"$work/pins.err"; then
		shown=$(sed -n '/^PIN \[User Authentication PIN\]/,/^$/s/^[[:space:]]*Tries left[[:space:]]*: //p' "$work/pins.out")
		if [ "$shown" = "$2" ]; then
			shared_ok "$1: pkcs15-tool --list-pins: User Authentication PIN, tries left $shown"
		else
			shared_bad "$1" "pkcs15-tool --list-pins shows '$shown' tries for the authentication PIN, the card has $(tries auth)"
		fi
	else
		shared_bad "$1" "pkcs15-tool --list-pins failed: $(tail -n 2 "$work/pins.err" | tr '\n' ' ')"
	fi
}

# The glitch was there and the detection asked again after it.
retried_after() { # check, status word as in the trace ("6F 00")
	first=$(head -n 1 "$trace")
	selects=$(grep -Ec "$SELECT_JPKI_LINE" "$trace" || true)
	case $first in
		"#1 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01 => $2")
			if grep -Eq "${SELECT_JPKI_LINE}90 00" "$trace"; then
				shared_ok "$1: APDU 1 (SELECT JPKI AP) answered $2, asked again, answered 90 00 ($selects SELECTs of the JPKI AP)"
			else
				shared_bad "$1" "after APDU 1 answered $2 no SELECT of the JPKI AP was answered 90 00"
			fi ;;
		*) shared_bad "$1" "APDU 1 is not the glitch the case set up: '$first'" ;;
	esac
}

case $case_name in
	builtin-names)
		name_card
		if [ "$name_rc" -eq 0 ] && [ "$name_driver" = "$BUILTIN_DRIVER" ] && [ "$name_card" = "$BUILTIN_NAME" ]; then
			shared_ok "builtin-names: Debian's configuration: driver '$name_driver', card name '$name_card'"
		else
			shared_bad builtin-names "the built-in configuration: exit $name_rc, driver '$name_driver', card name '$name_card' (expected '$BUILTIN_DRIVER', '$BUILTIN_NAME'): the words this test looks for are stale $(name_errors)"
		fi
		;;
	handed-on)
		name_card
		if [ "$name_driver" = "$BUILTIN_DRIVER" ] && [ "$name_card" = "$BUILTIN_NAME" ]; then
			shared_ok "handed-on: unknown ATR, JPKI SELECT answered 6A82: handed on, and opensc-tool names the built-in ('$name_driver', '$name_card'): the checks can see it"
		else
			shared_bad handed-on "unknown ATR, JPKI SELECT answered 6A82: driver '$name_driver', card name '$name_card' (expected the built-in to take it) $(name_errors)"
		fi
		;;
	6f00-first)
		expect_named 6f00-first "$MY_NUMBER_CARD"
		retried_after 6f00-first-retried "6F 00"
		impossible_pin 6f00-first-pin
		tries_visible 6f00-first-tries 3
		;;
	6f00-first-pin)
		impossible_pin 6f00-first-pin
		retried_after 6f00-first-pin-retried "6F 00"
		if grep -q "^Using card driver $PLUGIN_DRIVER\.\$" "$work/pin.out"; then
			shared_ok "6f00-first-pin: pkcs15-tool, whose detection met the glitch, used the plugin"
		else
			shared_bad 6f00-first-pin-plugin "pkcs15-tool's driver: '$(driver_of "$work/pin.out")'"
		fi
		expect_named 6f00-first-pin-then "$MY_NUMBER_CARD"
		tries_visible 6f00-first-pin-tries 3
		;;
	6f00-second)
		expect_named 6f00-second "$MY_NUMBER_CARD"
		second=$(sed -n 2p "$trace")
		case $second in
			"#2 "*"=> 6F 00") shared_ok "6f00-second: APDU 2 ($(echo "$second" | cut -d' ' -f2-6)...) answered 6F 00" ;;
			*) shared_bad 6f00-second-glitch "APDU 2 is not the glitch: '$second'" ;;
		esac
		impossible_pin 6f00-second-pin
		tries_visible 6f00-second-tries 3
		;;
	6f00-ef0006-select)
		expect_named 6f00-ef0006-select "$MY_NUMBER_CARD"
		third=$(sed -n 3p "$trace")
		case $third in
			"#3 00 A4 02 0C 02 00 06 => 6F 00") shared_ok "6f00-ef0006-select: APDU 3 (SELECT EF 0006) answered 6F 00" ;;
			*) shared_bad 6f00-ef0006-select-glitch "APDU 3 is not the glitch: '$third'" ;;
		esac
		impossible_pin 6f00-ef0006-select-pin
		tries_visible 6f00-ef0006-select-tries 3
		;;
	6a82-known-atr)
		expect_named 6a82-known-atr "$MY_NUMBER_CARD"
		retried_after 6a82-known-atr-retried "6A 82"
		impossible_pin 6a82-known-atr-pin
		;;
	6f00-unknown-atr)
		expect_named 6f00-unknown-atr "$MY_NUMBER_CARD"
		retried_after 6f00-unknown-atr-retried "6F 00"
		impossible_pin 6f00-unknown-atr-pin
		tries_visible 6f00-unknown-atr-tries 3
		;;
	removed-1|removed-1-unknown-atr)
		expect_refused "$case_name"
		impossible_pin "$case_name-pin"
		[ "$(trace_lines)" -eq 1 ] || shared_bad "$case_name-trace" "the card answered $(trace_lines) APDUs, expected 1"
		;;
	removed-1-pin)
		impossible_pin removed-1-pin
		shared_note "pkcs15-tool said: $(tail -n 1 "$work/pin.err")"
		name_card
		check_not_builtin removed-1-pin-then "$name_driver" "$name_card"
		;;
	*) shared_die usage "unknown case $case_name" ;;
esac

shared_inside_end
