#!/bin/sh
# What opensc-jpki-config writes, read by stock OpenSC: after enable,
# `opensc-tool -D` lists the plugin's driver first (so the module path and the
# blocks are right); before enable and after disable it does not.
set -u
. "$top_srcdir/tests/config/config-lib.sh"

[ -x "$config_tool" ] || die "$config_tool is not built"
module=${OPENSC_JPKI_MODULE:?}
[ -f "$module" ] || die "no module at $module"
command -v opensc-tool > /dev/null || die "opensc-tool is not installed"
module_info=$top_builddir/tests/module/module-info
[ -x "$module_info" ] || die "$module_info is not built"

# The driver's own names, asked from the module itself.
long_name=$("$module_info" "$module" | sed -n 's/^long_name=//p')
[ -n "$long_name" ] || die "module-info could not read the driver's long name from $module"

check_listing() { # conf, label
	drivers=$(opensc_drivers "$1")
	expect_text "$(printf '%s\n' "$drivers" | head -n 1)" "mynumber $long_name" "$2: opensc-tool -D lists mynumber first, with its long name"
}

check_not_listed() { # conf, label
	drivers=$(opensc_drivers "$1")
	[ -n "$drivers" ] || fail "$2: opensc-tool -D listed no driver at all"
	if printf '%s\n' "$drivers" | grep -q '^mynumber '; then
		fail "$2: mynumber listed without the plugin's blocks"
	else
		pass "$2: mynumber not listed"
	fi
}

for fixture in debian-12-opensc no-framework card-drivers odd-spacing; do
	conf=$scratch/$fixture.conf
	cp "$data/$fixture.conf" "$conf"
	check_not_listed "$conf" "$fixture before enable"
	run "$config_tool" --module "$module" enable "$conf"
	expect_rc 0 "$fixture: enable"
	check_listing "$conf" "$fixture after enable"
	run "$config_tool" --module "$module" --card-info enable "$conf"
	check_listing "$conf" "$fixture with --card-info"
	run "$config_tool" disable "$conf"
	check_not_listed "$conf" "$fixture after disable"
done

if [ -f /etc/opensc/opensc.conf ]; then
	cp /etc/opensc/opensc.conf "$scratch/etc.conf"
	"$config_tool" --module "$module" enable "$scratch/etc.conf" > /dev/null
	check_listing "$scratch/etc.conf" "/etc/opensc/opensc.conf copy after enable"
fi

# Negative control: the same edit naming a module that is not there must not
# list the driver, or the checks above would prove nothing.
cp "$data/debian-12-opensc.conf" "$scratch/missing.conf"
"$config_tool" --module "$scratch/nowhere/opensc-jpki.so" enable "$scratch/missing.conf" > /dev/null 2>&1
run "$config_tool" --name mynumber status "$scratch/missing.conf"
expect_rc 3 "negative control: the file is configured, the module missing"
check_not_listed "$scratch/missing.conf" "negative control: missing module"

# The example installed with the documentation: the module path it names is the
# default of opensc-jpki-config (both are $(libdir)/opensc-jpki.so), and with
# the built module's path it is a configuration OpenSC uses.
example=$top_builddir/etc/opensc-jpki.conf
[ -f "$example" ] || die "$example is not built"
default_module=$("$config_tool" --help | sed -n 's/^  --module PATH  the plugin module (default \(.*\))$/\1/p')
[ -n "$default_module" ] || fail "opensc-jpki-config --help names no default module"
expect_text "$(sed -n 's/^[[:space:]]*module = \(.*\);$/\1/p' "$example" | sort -u)" "$default_module" \
	"example and tool name the same installed module"
# status loads the module it names: a copy that it loads as root too.
usable=$(trusted_copy "$module" opensc-jpki.so) || exit 1
sed "s|$default_module|$usable|" "$example" > "$scratch/example.conf"
check_listing "$scratch/example.conf" "installed example with the built module"
run "$config_tool" status "$scratch/example.conf"
expect_rc 0 "the example counts as enabled for opensc-jpki-config"

finish
