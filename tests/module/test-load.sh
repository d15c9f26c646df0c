#!/bin/sh
# Stock OpenSC loads our module through opensc.conf, and refuses modules built
# for another OpenSC, saying why in its debug log.
set -u
. "$top_srcdir/tests/config/config-lib.sh"

module=${OPENSC_JPKI_MODULE:?}
version=${OPENSC_JPKI_VERSION:?}
conf_gen=$top_srcdir/tests/lib/opensc-conf.sh
module_info=$top_builddir/tests/module/module-info
other=$top_builddir/tests/module/.libs/opensc-jpki-other.so
suffixed=$top_builddir/tests/module/.libs/opensc-jpki-suffixed.so
other_pin_cmd=$top_builddir/tests/module/.libs/opensc-jpki-other-pin-cmd.so

[ -f "$module" ] || die "no module at $module"
[ -x "$module_info" ] || die "$module_info is not built"
command -v opensc-tool > /dev/null || die "opensc-tool is not installed"
command -v nm > /dev/null || die "nm is not installed"
expect_text "$(opensc-tool --info | sed -n 's/^OpenSC \([^ ]*\) .*/\1/p')" "$version" \
	"opensc-tool runs the libopensc the module was configured for"

# ---- the module is ours ------------------------------------------------------
expect_text "$(nm -D --defined-only "$module" | awk '{ print $2, $3 }' | sort | tr '\n' ' ')" \
	"T opensc_jpki_refusal T sc_driver_version T sc_module_init T sc_pkcs15_init_func_ex " \
	"module exports exactly OpenSC's three entry points and opensc_jpki_refusal (for opensc-jpki-config status)"
run "$module_info" "$module"
expect_rc 0 "module-info loads the module"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^version=//p')" "$version" "sc_driver_version() is the OpenSC version it was built for"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^short_name=//p')" mynumber "driver short name"
long_name=$(printf '%s\n' "$out" | sed -n 's/^long_name=//p')
[ -n "$long_name" ] || die "the module's driver has no long name"

# debug_conf NAME MODULE: a plugin-first opensc.conf with a debug log, in $scratch
debug_conf() {
	OPENSC_JPKI_MODULE=$2 sh "$conf_gen" plugin-first --debug 9 --debug-file "$scratch/$1.log" > "$scratch/$1.conf" \
		|| die "opensc-conf.sh failed for $1"
	rm -f "$scratch/$1.log"
}

listed() { # conf, short name -> the rest of its opensc-tool -D line, or nothing
	opensc_drivers "$1" | sed -n "s/^$2 //p"
}

# ---- plugin-first: listed first, with our long name ---------------------------
debug_conf good "$module"
expect_text "$(opensc_drivers "$scratch/good.conf" | head -n 1)" "mynumber $long_name" "plugin-first: mynumber listed first with its long name"
expect_text "$(listed "$scratch/good.conf" jpki | wc -l)" 1 "plugin-first: the built-in jpki driver is still there, after ours"
grep -q "successfully loaded card driver 'mynumber'" "$scratch/good.log" \
	&& pass "debug log: OpenSC loaded our driver" || fail "debug log lacks \"successfully loaded card driver 'mynumber'\""

# ---- negative control: a module that is not there is not listed ---------------
missing=$scratch/nowhere/opensc-jpki.so
sed "s|$module|$missing|g" "$scratch/good.conf" | sed "s|good.log|missing.log|" > "$scratch/missing.conf"
grep -q "$missing" "$scratch/missing.conf" || die "could not point the configuration at a missing module"
expect_text "$(listed "$scratch/missing.conf" mynumber)" "" "missing module: mynumber not listed"
[ -n "$(opensc_drivers "$scratch/missing.conf")" ] || fail "missing module: opensc-tool listed nothing at all"
grep -q "Module mynumber: cannot load $missing library" "$scratch/missing.log" \
	&& pass "missing module: the log says it cannot be loaded" || fail "missing module: no 'cannot load' line in the log"

# ---- built for another release: OpenSC's own version check refuses ------------
[ -f "$other" ] || die "$other is not built (make check builds it)"
other_version=$("$module_info" "$other" | sed -n 's/^version=//p')
case "$other_version" in
	"$version"*) die "the 'other' module claims $other_version, which OpenSC $version accepts: change OTHER_OPENSC_VERSION" ;;
	"") die "module-info could not read the other module's version" ;;
esac
debug_conf other "$other"
expect_text "$(listed "$scratch/other.conf" mynumber)" "" "module built for $other_version: not listed"
expect_text "$(listed "$scratch/other.conf" jpki-refused)" "" "module built for $other_version: not even as jpki-refused"
grep -q "dynamic library '$other': invalid module version" "$scratch/other.log" \
	&& pass "module built for $other_version: log says 'invalid module version'" \
	|| fail "module built for $other_version: no 'invalid module version' line in the log"

# ---- built for "<version>.1": OpenSC's prefix check passes, our guard refuses --
[ -f "$suffixed" ] || die "$suffixed is not built (make check builds it)"
run "$module_info" "$suffixed"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^version=//p')" "$version.1" "suffixed module answers $version.1"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^short_name=//p')" jpki-refused "suffixed module hands out the refusing driver"
debug_conf suffixed "$suffixed"
expect_text "$(listed "$scratch/suffixed.conf" mynumber)" "" "module built for $version.1: mynumber not listed"
expect_text "$(listed "$scratch/suffixed.conf" jpki-refused)" \
	"opensc-jpki (REFUSED: built for another OpenSC version; see the debug log)" \
	"module built for $version.1: listed as jpki-refused, saying so"
grep -q "successfully loaded card driver 'mynumber'" "$scratch/suffixed.log" \
	&& pass "module built for $version.1: OpenSC's own check let it through" \
	|| fail "module built for $version.1: OpenSC did not load it at all (the guard was not what refused)"

# ---- the same version, another pin_cmd (0.27.1 and OpenSC master): the probe --
[ -f "$other_pin_cmd" ] || die "$other_pin_cmd is not built (make check builds it)"
run "$module_info" "$other_pin_cmd"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^version=//p')" "$version" "other-pin-cmd module answers $version, as the library does"
expect_text "$(printf '%s\n' "$out" | sed -n 's/^short_name=//p')" jpki-refused "other-pin-cmd module hands out the refusing driver"
debug_conf other-pin-cmd "$other_pin_cmd"
expect_text "$(listed "$scratch/other-pin-cmd.conf" mynumber)" "" "module built for the other pin_cmd: mynumber not listed"
expect_text "$(listed "$scratch/other-pin-cmd.conf" jpki-refused)" \
	"opensc-jpki (REFUSED: built for another OpenSC version; see the debug log)" \
	"module built for the other pin_cmd: listed as jpki-refused, saying so"
# The line is logged when OpenSC offers it a card (test-refused-card.sh); here
# the module itself says it, through the entry point status uses.
expect_text "$("$module_info" "$module" | sed -n 's/^refusal=//p')" "(none)" \
	"the module itself: no refusal in the OpenSC it was built for"
refusal=$("$module_info" "$other_pin_cmd" | sed -n 's/^refusal=//p')
case "$refusal" in
	"opensc-jpki: refused: built for "*"pin_cmd"*"#3589"*"also says $version"*|"opensc-jpki: refused: built for "*"also says $version"*"#3589"*)
		pass "other-pin-cmd module: refuses, naming pin_cmd and the upstream change" ;;
	*) fail "other-pin-cmd module: refusal was '$refusal'" ;;
esac

finish
