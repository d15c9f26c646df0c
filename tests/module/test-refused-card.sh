#!/bin/sh
# With a card in the reader, the module built for "<version>.1", and the one
# built for the same version with the other pin_cmd (0.27.1 against OpenSC
# master), are offered the card and refuse it with our log line; the real module, same card and
# harness, claims it (positive control: the refusal is the guard's doing).
set -u
. "$top_srcdir/tests/config/config-lib.sh"

module=${OPENSC_JPKI_MODULE:?}
version=${OPENSC_JPKI_VERSION:?}
harness=$top_srcdir/tests/harness/with-card.sh
suffixed=$top_builddir/tests/module/.libs/opensc-jpki-suffixed.so
other_pin_cmd=$top_builddir/tests/module/.libs/opensc-jpki-other-pin-cmd.so

[ -f "$module" ] || die "no module at $module"
[ -f "$suffixed" ] || die "$suffixed is not built (make check builds it)"
[ -f "$other_pin_cmd" ] || die "$other_pin_cmd is not built (make check builds it)"
[ -f "$harness" ] || die "no card harness at $harness"

with_card() { # name, module: runs opensc-tool -n on the virtual card, log in $scratch/name.log
	OPENSC_JPKI_MODULE=$2 sh "$top_srcdir/tests/lib/opensc-conf.sh" plugin-first --debug 9 \
		--debug-file "$scratch/$1.log" > "$scratch/$1.conf" || die "opensc-conf.sh failed"
	sh "$harness" --conf "$scratch/$1.conf" -- opensc-tool -n > "$scratch/$1.out" 2> "$scratch/$1.err"
	harness_rc=$?
	[ "$harness_rc" -ne 125 ] || die "the card harness failed: $(cat "$scratch/$1.err")"
	[ -f "$scratch/$1.log" ] || die "$1: OpenSC wrote no debug log"
}

refusal="opensc-jpki: refused: built for OpenSC $version.1, running in OpenSC $version; rebuild the plugin against this OpenSC"

with_card good "$module"
grep -q "matched driver '[^']*opensc-jpki plugin'\|matched: .*opensc-jpki plugin" "$scratch/good.log" \
	&& pass "real module: our driver matched the card" || fail "real module: our driver did not match the card"
grep -q "opensc-jpki: refused" "$scratch/good.log" && fail "real module: a refusal in the log"

with_card refused "$suffixed"
grep -q "trying driver 'jpki-refused'" "$scratch/refused.log" \
	&& pass "module built for $version.1: OpenSC offered it the card" \
	|| fail "module built for $version.1: never offered the card"
grep -qF "$refusal" "$scratch/refused.log" \
	&& pass "module built for $version.1: the log says why it refused" \
	|| fail "module built for $version.1: no line \"$refusal\" in the log"
grep -q "matched driver 'opensc-jpki\|matched: opensc-jpki" "$scratch/refused.log" \
	&& fail "module built for $version.1: the refusing driver matched the card"

# Same version, other pin_cmd: nothing reaches the card's PIN commands.
with_card refused-pin-cmd "$other_pin_cmd"
grep -q "trying driver 'jpki-refused'" "$scratch/refused-pin-cmd.log" \
	&& pass "module built for the other pin_cmd: OpenSC offered it the card" \
	|| fail "module built for the other pin_cmd: never offered the card"
grep -q "opensc-jpki: refused: built for .*pin_cmd.*the running libopensc also says $version" "$scratch/refused-pin-cmd.log" \
	&& pass "module built for the other pin_cmd: the log says why it refused" \
	|| fail "module built for the other pin_cmd: no refusal naming pin_cmd in the log"
grep -q "matched driver 'opensc-jpki\|matched: opensc-jpki" "$scratch/refused-pin-cmd.log" \
	&& fail "module built for the other pin_cmd: the refusing driver matched the card"

finish
