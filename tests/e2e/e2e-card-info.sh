#!/bin/sh
# Issue #5 end to end: the card-face text data through the stock pkcs15-tool,
# the plugin loaded from opensc.conf, the virtual card behind a private pcscd.
#
#   card_info = yes   the dump lists the third PIN and the five data objects;
#                     each object read with the right PIN is the generator's
#                     value; without the PIN or with a wrong one nothing is
#                     shown; impossible PINs never reach the card.
#   tampered EF 0002  the read fails with the integrity error, nothing shown.
#   card_info absent  nothing of the text AP appears, no text-AP APDU is sent.
#
# Fails, never skips, when the module or a program is missing.
set -eu

me=e2e-card-info
fail() {
	echo "$me: FAIL: $*" >&2
	exit 1
}

# ---- one case, run inside the harness (OPENSC_CONF, JPKI_IDENTITY, JPKI_SIM_STATS set)
if [ "${1:-}" = "--inside" ]; then
	case_name=$2
	out=$3
	trace=$4
	facts=$JPKI_IDENTITY/facts
	# shellcheck source=../lib/tool-output.sh
	. "$top_srcdir/tests/lib/tool-output.sh"
	text_pin=$(sed -n 's/^text=//p' "$JPKI_IDENTITY/pins")
	[ -n "$text_pin" ] || fail "no text PIN in $JPKI_IDENTITY/pins"

	fact() { sed -n "s/^$1=//p" "$facts"; }
	tries_text() { sed -n 's/^tries_text=//p' "$JPKI_SIM_STATS"; }
	# A PIN that is well-formed but not the card's: one digit changed.
	wrong_pin=$(printf '%s\n' "$text_pin" | awk '{ printf "%d%s", (substr($0, 1, 1) + 1) % 10, substr($0, 2) }')
	[ "$wrong_pin" != "$text_pin" ] && [ ${#wrong_pin} -eq 4 ] || fail "could not make a wrong PIN"

	read_object() { # label pin-or-empty -> out/read.out, out/read.err; returns pkcs15-tool's status
		if [ -n "$2" ]; then
			pkcs15-tool --read-data-object "$1" --verify-pin --auth-id 03 --pin "$2" --raw \
				> "$out/read.out" 2> "$out/read.err"
		else
			pkcs15-tool --read-data-object "$1" --raw < /dev/null > "$out/read.out" 2> "$out/read.err"
		fi
	}
	# The decoded value must not appear in anything a failed read printed.
	# Only the tool's own PIN prompt may be on stdout.
	assert_not_disclosed() { # what value
		prompt='Please enter PIN [Card Info Input Support PIN]: '
		printed=$(tool_stdout "$out/read.out")
		if [ -n "$printed" ] && [ "$printed" != "$prompt" ]; then
			fail "$1: pkcs15-tool printed $(wc -c < "$out/read.out") bytes: $printed"
		fi
		if grep -qF "$2" "$out/read.err"; then
			fail "$1: the value appears on stderr"
		fi
	}

	case "$case_name" in
	card-info)
		pkcs15-tool --dump > "$out/dump.txt" 2> "$out/dump.err" || fail "pkcs15-tool --dump failed: $(cat "$out/dump.err")"
		# The PIN block: everything from its header to the next blank line.
		sed -n '/^PIN \[Card Info Input Support PIN\]/,/^$/p' "$out/dump.txt" > "$out/pin.txt"
		[ -s "$out/pin.txt" ] || fail "dump lists no 'Card Info Input Support PIN'"
		for want in 'ID             : 03' 'Length         : min_len:4, max_len:4, stored_len:4' \
		            'Reference      : 3 (0x03)' 'Type           : ascii-numeric' 'Tries left     : 3'; do
			grep -qF "$want" "$out/pin.txt" || fail "PIN block lacks '$want'"
		done
		for label in "My Number" "Name" "Address" "Date of Birth" "Sex"; do
			sed -n "/^Data object '$label'\$/,/^\$/p" "$out/dump.txt" > "$out/obj.txt"
			[ -s "$out/obj.txt" ] || fail "dump lists no data object '$label'"
			grep -q 'Auth ID: *03$' "$out/obj.txt" || fail "data object '$label' is not behind auth ID 03"
		done
		[ "$(grep -c "^Data object '" "$out/dump.txt")" -eq 5 ] || fail "expected exactly 5 data objects"
		# Listing them read nothing private: the dump never shows a value.
		name=$(fact name)
		[ -n "$name" ] || fail "facts has no name"
		! grep -qF "$name" "$out/dump.txt" || fail "the dump shows the name"
		[ "$(tries_text)" = 3 ] || fail "tries_text $(tries_text) after the dump, expected 3"

		# Each object with the right PIN: exactly the generator's value, no newline.
		for pair in "My Number:my_number" "Name:name" "Address:address" "Date of Birth:birth" "Sex:sex"; do
			label=${pair%%:*}
			key=${pair#*:}
			expected=$(fact "$key")
			[ -n "$expected" ] || fail "facts has no $key"
			read_object "$label" "$text_pin" || fail "reading '$label' with the right PIN failed: $(cat "$out/read.err")"
			printf '%s' "$expected" > "$out/expected"
			cmp -s "$out/read.out" "$out/expected" ||
				fail "'$label' read $(od -An -c "$out/read.out" | head -c 200), expected '$expected'"
		done
		[ "$(tries_text)" = 3 ] || fail "tries_text $(tries_text) after right PINs, expected 3"
		grep -q 'D3 92 10 00 31 00 01 01 04 08' "$trace" || fail "no text-AP SELECT in the trace (the absent case's check would be empty)"

		# Without the PIN: the tool asks (stdin empty), nothing is shown, no try spent.
		if read_object "Name" ""; then fail "reading 'Name' without a PIN succeeded"; fi
		assert_not_disclosed "no PIN" "$name"
		[ "$(tries_text)" = 3 ] || fail "tries_text $(tries_text) after a read without PIN, expected 3"

		# A wrong PIN: refused by the card, one try spent, nothing shown.
		if read_object "Name" "$wrong_pin"; then fail "reading 'Name' with a wrong PIN succeeded"; fi
		assert_not_disclosed "wrong PIN" "$name"
		[ "$(tries_text)" = 2 ] || fail "tries_text $(tries_text) after a wrong PIN, expected 2"
		my_number=$(fact my_number)
		if read_object "My Number" "$wrong_pin"; then fail "reading 'My Number' with a wrong PIN succeeded"; fi
		assert_not_disclosed "wrong PIN" "$my_number"
		[ "$(tries_text)" = 1 ] || fail "tries_text $(tries_text) after a second wrong PIN, expected 1"

		# PINs that cannot be right never reach the card: no try spent, no VERIFY with data.
		verifies_before=$(grep -c '^#[0-9]* 00 20 00 80 [0-9A-F][0-9A-F] ' "$trace" || true)
		for impossible in 123 12345 12a4 "12 4" ""; do
			if [ -n "$impossible" ]; then
				if read_object "Name" "$impossible"; then fail "PIN '$impossible' accepted"; fi
			else
				if pkcs15-tool --read-data-object Name --verify-pin --auth-id 03 --pin "" --raw \
					> "$out/read.out" 2> "$out/read.err"; then fail "empty PIN accepted"; fi
			fi
			assert_not_disclosed "impossible PIN '$impossible'" "$name"
		done
		[ "$(tries_text)" = 1 ] || fail "tries_text $(tries_text) after impossible PINs, expected 1"
		verifies_after=$(grep -c '^#[0-9]* 00 20 00 80 [0-9A-F][0-9A-F] ' "$trace" || true)
		[ "$verifies_after" = "$verifies_before" ] ||
			fail "impossible PINs sent $((verifies_after - verifies_before)) VERIFY commands with data"

		# The right PIN again resets the counter, and the value is back.
		read_object "Sex" "$text_pin" || fail "reading 'Sex' after wrong PINs failed: $(cat "$out/read.err")"
		[ "$(cat "$out/read.out")" = "$(fact sex)" ] || fail "'Sex' after wrong PINs differs"
		[ "$(tries_text)" = 3 ] || fail "tries_text $(tries_text) after the right PIN, expected 3"
		;;
	tamper)
		name=$(fact name)
		for label in "Name" "My Number"; do
			if read_object "$label" "$text_pin"; then fail "tampered card: reading '$label' succeeded"; fi
			assert_not_disclosed "tampered card" "$name"
			grep -q 'Data object read failed: Part of returned data may be corrupted' "$out/read.err" ||
				fail "tampered card: '$label' failed with something else: $(cat "$out/read.err")"
		done
		# The PIN was right: the refusal is the integrity check's, not the card's.
		[ "$(tries_text)" = 3 ] || fail "tries_text $(tries_text) on the tampered card, expected 3"
		;;
	absent)
		pkcs15-tool --dump > "$out/dump.txt" 2> "$out/dump.err" || fail "pkcs15-tool --dump failed: $(cat "$out/dump.err")"
		# The plugin is there (its PINs are listed), only the text AP is not.
		grep -q '^PIN \[' "$out/dump.txt" || fail "dump lists no PIN at all: is the plugin loaded?"
		! grep -q 'Card Info Input Support PIN' "$out/dump.txt" || fail "card_info absent, yet the text-AP PIN is listed"
		! grep -q "^Data object '" "$out/dump.txt" || fail "card_info absent, yet data objects are listed"
		rc=0
		pkcs15-tool --read-data-object Name --pin "$text_pin" --raw \
			> "$out/read.out" 2> "$out/read.err" || rc=$?
		[ "$rc" -ne 0 ] || fail "card_info absent, yet 'Name' could be read"
		if pkcs15-tool --verify-pin --auth-id 03 --pin "$text_pin" > "$out/verify.out" 2>&1; then
			fail "card_info absent, yet PIN 03 could be verified"
		fi
		grep -q "PIN object '03' not found" "$out/verify.out" || fail "card_info absent: PIN 03: $(cat "$out/verify.out")"
		[ ! -s "$out/read.out" ] || fail "card_info absent, yet something was printed"
		grep -q "Data object with label 'Name' not found" "$out/read.err" ||
			fail "card_info absent: unexpected error $(cat "$out/read.err")"
		;;
	*)
		fail "unknown case $case_name" ;;
	esac
	exit 0
fi

# ---- outside: one identity per layout, one harness run per case ---------------
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
[ -f "${OPENSC_JPKI_MODULE:?}" ] || fail "module $OPENSC_JPKI_MODULE missing"
gen=$top_builddir/sim/jpki-sim-gen
[ -x "$gen" ] || fail "no $gen"
command -v pkcs15-tool > /dev/null || fail "no pkcs15-tool"
harness=$top_srcdir/tests/harness/with-card.sh
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
trap 'rm -rf "$work"' EXIT

run_case() { # case identity [harness options]
	case_name=$1
	identity=$2
	shift 2
	dir=$work/$case_name-$(basename "$identity")
	mkdir -p "$dir"
	: > "$dir/trace"
	rc=0
	sh "$harness" --identity "$identity" --trace "$dir/trace" "$@" -- \
		sh "$self" --inside "$case_name" "$dir" "$dir/trace" || rc=$?
	[ "$rc" -eq 0 ] || { echo "$me: case $case_name ($(basename "$identity")) failed, status $rc" >&2; exit 1; }
	echo "$me: ok: $case_name ($(basename "$identity"))"
}

"$gen" --out "$work/short" > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; fail "jpki-sim-gen failed"; }
"$gen" --out "$work/long" --long-address > "$work/gen.log" 2>&1 || { cat "$work/gen.log" >&2; fail "jpki-sim-gen --long-address failed"; }
# The generator's files use both long length forms: 81 for a short address, 82 for a long one.
[ "$(od -An -tx1 -j2 -N1 "$work/short/text/0002" | tr -d ' ')" = 81 ] || fail "short identity: EF 0002 not in 81 form"
[ "$(od -An -tx1 -j2 -N1 "$work/long/text/0002" | tr -d ' ')" = 82 ] || fail "long identity: EF 0002 not in 82 form"

run_case card-info "$work/short" --card-info
run_case card-info "$work/long" --card-info
run_case tamper "$work/short" --card-info --set tamper_text_basic_info=yes --debug-file "$work/tamper-debug.log"
grep -q 'text AP: integrity check failed: EF 0002 (basic four facts) does not match its SHA-256 in EF 0003' \
	"$work/tamper-debug.log" || fail "tampered card: no integrity log line in the debug log"
name=$(sed -n 's/^name=//p' "$work/short/facts")
! grep -qF "$name" "$work/tamper-debug.log" || fail "the name appears in the debug log"
run_case absent "$work/short"
if grep -q 'D3 92 10 00 31 00 01 01 04 08' "$work/absent-short/trace"; then
	fail "card_info absent, yet the text AP was selected"
fi
[ -s "$work/absent-short/trace" ] || fail "card_info absent: the trace is empty (no APDU at all?)"
echo "$me: all cases passed"
