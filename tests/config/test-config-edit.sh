#!/bin/sh
# opensc-jpki-config on files: enable/disable round trips restore every byte,
# enabling twice changes nothing, status answers, malformed files are refused and
# left alone (bytes, mode and mtime), backups are written.
set -u
. "$top_srcdir/tests/config/config-lib.sh"

[ -x "$config_tool" ] || die "$config_tool is not built"
module=${OPENSC_JPKI_MODULE:?}
version=${OPENSC_JPKI_VERSION:?}
[ -f "$module" ] || die "no module at $module"
# What status adds on stdout when the module suits the installed OpenSC.
usable_line="module: built for OpenSC $version, which is the one installed"

# ---- round trips on well-formed files --------------------------------------
round_trip() { # file (a copy in $scratch), label
	file=$1
	label=$2
	cp "$file" "$scratch/original"
	chmod 640 "$file"

	run "$config_tool" --module "$module" enable "$file"
	expect_rc 0 "$label: enable"
	expect_text "$out" "opensc-jpki-config: enabled 'mynumber' (module $module) in $file; previous version saved as $file.opensc-jpki.bak" \
		"$label: enable says what it did and where the backup is"
	expect_same_file "$file.opensc-jpki.bak" "$scratch/original" "$label: backup holds the original"
	cmp -s "$file" "$scratch/original" && fail "$label: enable left the file as it was"
	expect_text "$(stat -c %a "$file")" 640 "$label: mode kept"
	expect_text "$(grep -c '^[^#]*card_drivers = mynumber, ' "$file")" 1 "$label: mynumber is first in one card_drivers line"
	expect_text "$(tr -d '\r' < "$file" | grep -c "module = $module; # opensc-jpki\$")" 2 "$label: driver and emulator name the module"

	run "$config_tool" status "$file"
	expect_rc 0 "$label: status after enable"
	expect_text "$out" "enabled: $file: card driver and PKCS#15 emulator 'mynumber' from $module
$usable_line" "$label: status text"
	expect_text "$err" "" "$label: status warns of nothing"

	cp "$file" "$scratch/enabled"
	before=$(fingerprint "$file")
	sleep 0.01
	run "$config_tool" --module "$module" enable "$file"
	expect_rc 0 "$label: second enable"
	expect_text "$out" "opensc-jpki-config: 'mynumber' is already enabled in $file; nothing changed" "$label: second enable says nothing changed"
	expect_text "$(fingerprint "$file")" "$before" "$label: second enable leaves bytes and mtime"

	run "$config_tool" disable "$file"
	expect_rc 0 "$label: disable"
	expect_text "$out" "opensc-jpki-config: disabled opensc-jpki in $file; previous version saved as $file.opensc-jpki.bak" \
		"$label: disable message"
	expect_same_file "$file" "$scratch/original" "$label: enable + disable restores every byte"
	expect_same_file "$file.opensc-jpki.bak" "$scratch/enabled" "$label: disable keeps the enabled version as backup"

	run "$config_tool" status "$file"
	expect_rc 1 "$label: status after disable"
	expect_text "$out" "disabled: $file" "$label: status text after disable"

	before=$(fingerprint "$file")
	run "$config_tool" disable "$file"
	expect_rc 0 "$label: second disable"
	expect_text "$out" "opensc-jpki-config: $file has no lines added by opensc-jpki-config; nothing changed" \
		"$label: second disable says nothing changed"
	expect_text "$(fingerprint "$file")" "$before" "$label: second disable leaves the file"

	# --card-info and another module: a second enable replaces the first one's lines
	run "$config_tool" --module "$module" enable "$file"
	run "$config_tool" --module "$module" --card-info --name mynumber enable "$file"
	expect_rc 0 "$label: enable with --card-info over an enabled file"
	expect_text "$(tr -d '\r' < "$file" | grep -c 'card_info = yes; # opensc-jpki$')" 1 "$label: card_info added once"
	expect_text "$(grep -c '^[^#]*card_driver mynumber {' "$file")" 1 "$label: still one card_driver block"
	run "$config_tool" disable "$file"
	expect_same_file "$file" "$scratch/original" "$label: re-enabled file still restores every byte"
	rm -f "$file.opensc-jpki.bak"
}

for fixture in debian-12-opensc no-framework card-drivers odd-spacing; do
	cp "$data/$fixture.conf" "$scratch/$fixture.conf"
	round_trip "$scratch/$fixture.conf" "$fixture"
done

# The machine's own stock file, when there is one and the plugin is not
# enabled in it already (the package built on an administrator's machine):
# enable would then change nothing and the round trip would not be one.
if [ -f /etc/opensc/opensc.conf ] && ! grep -q '# opensc-jpki$' /etc/opensc/opensc.conf; then
	cp /etc/opensc/opensc.conf "$scratch/etc-opensc.conf"
	round_trip "$scratch/etc-opensc.conf" "/etc/opensc/opensc.conf copy"
fi

# CRLF line ends: added lines follow the file's, and the round trip is exact.
printf 'app default {\r\n\tcard_drivers = internal;\r\n\tframework pkcs15 { }\r\n}\r\n' > "$scratch/crlf.conf"
round_trip "$scratch/crlf.conf" crlf
"$config_tool" --module "$module" enable "$scratch/crlf.conf" > /dev/null
cr=$(printf '\r')
expect_text "$(grep -c 'opensc-jpki$' "$scratch/crlf.conf")" 0 "crlf: no added line ends in a bare LF"
expect_text "$(grep -c "opensc-jpki$cr\$" "$scratch/crlf.conf")" 9 "crlf: the added lines end in CR LF"
"$config_tool" disable "$scratch/crlf.conf" > /dev/null

# Everything on one line, no final newline.
printf 'app default { framework pkcs15 { } }' > "$scratch/one-line.conf"
round_trip "$scratch/one-line.conf" one-line

# What enable writes for Debian's stock file, line for line.
cp "$data/debian-12-opensc.conf" "$scratch/expected-input.conf"
"$config_tool" --module /usr/lib/x/opensc-jpki.so enable "$scratch/expected-input.conf" > /dev/null 2>&1
cat > "$scratch/expected.conf" <<'EOF'
app default {
	# debug = 3;
	# debug_file = opensc-debug.txt;
	framework pkcs15 {
		# use_file_caching = public;
		emulate mynumber { # opensc-jpki
			module = /usr/lib/x/opensc-jpki.so; # opensc-jpki
		} # opensc-jpki
	}
	card_drivers = mynumber, internal; # opensc-jpki
	card_driver mynumber { # opensc-jpki
		module = /usr/lib/x/opensc-jpki.so; # opensc-jpki
	} # opensc-jpki
}
EOF
expect_same_file "$scratch/expected-input.conf" "$scratch/expected.conf" "Debian's file: exactly the expected lines added"

# An existing card_drivers list: ours prepended, the original kept for disable.
cp "$data/card-drivers.conf" "$scratch/drivers.conf"
"$config_tool" --module "$module" enable "$scratch/drivers.conf" > /dev/null
expect_text "$(grep -v '^#' "$scratch/drivers.conf" | grep card_drivers)" \
	"$(printf '\tcard_drivers = mynumber, old, internal, default; # opensc-jpki')" "card_drivers: mynumber prepended to the site's list"
expect_text "$(grep -c '^# opensc-jpki-was: ' "$scratch/drivers.conf")" 2 "card_drivers: both original lines saved"
# only the FIRST framework pkcs15 block gets the emulator (OpenSC reads only that one)
expect_text "$(awk '/^\tframework pkcs15/ { n++ } /emulate mynumber/ { print n }' "$scratch/drivers.conf")" 1 \
	"emulate block in the first framework pkcs15"

# A symlinked configuration: the target is edited, the link stays a link.
cp "$data/debian-12-opensc.conf" "$scratch/target.conf"
ln -s target.conf "$scratch/link.conf"
run "$config_tool" --module "$module" enable "$scratch/link.conf"
expect_rc 0 "symlink: enable"
[ -L "$scratch/link.conf" ] && pass "symlink: still a link" || fail "symlink: replaced by a file"
[ -f "$scratch/target.conf.opensc-jpki.bak" ] && pass "symlink: backup beside the target" || fail "symlink: no backup beside the target"
"$config_tool" disable "$scratch/link.conf" > /dev/null
expect_same_file "$scratch/target.conf" "$data/debian-12-opensc.conf" "symlink: round trip"

# ---- refusals: the file keeps its bytes, mode and mtime; no backup ----------
refuse() { # fixture, command, expected stderr after "opensc-jpki-config: FILE"
	cp "$data/$1.conf" "$scratch/$1.conf"
	file=$scratch/$1.conf
	before=$(fingerprint "$file")
	sleep 0.01
	run "$config_tool" --module "$module" "$2" "$file"
	expect_rc 2 "$1: $2 refused"
	expect_text "$err" "opensc-jpki-config: $file$3" "$1: $2 error message"
	expect_text "$(fingerprint "$file")" "$before" "$1: $2 leaves bytes, mode and mtime"
	[ -e "$file.opensc-jpki.bak" ] && fail "$1: $2 wrote a backup of a refused file"
	leftovers=$(find "$scratch" -name "$1.conf.??????" | wc -l)
	expect_text "$leftovers" 0 "$1: $2 leaves no temporary file"
}

for command in enable disable; do
	refuse malformed-brace "$command" ":1: '{' is never closed; file left unchanged"
	refuse malformed-string "$command" ":2: unterminated string (a quoted string must end on the same line); file left unchanged"
	refuse malformed-extra-brace "$command" ":5: '}' without a matching '{'; file left unchanged"
	refuse malformed-comment-in-list "$command" ":2: comment inside the statement 'card_drivers' (OpenSC cannot read it there); file left unchanged"
done
refuse no-app-default enable ": no 'app default' block: this is not an opensc.conf OpenSC would use; file left unchanged"
refuse hand-configured enable ":2: there is already a 'card_driver' block for 'mynumber', not added by opensc-jpki-config; remove it by hand or choose another --name; file left unchanged"

# A hand edit that leans on a marked line: disable must not leave a broken file.
printf 'app default {\n\tframework pkcs15 { # opensc-jpki\n\t}\n}\n' > "$scratch/leaning.conf"
before=$(fingerprint "$scratch/leaning.conf")
run "$config_tool" disable "$scratch/leaning.conf"
expect_rc 2 "disable that would break the file refused"
expect_text "$err" "opensc-jpki-config: $scratch/leaning.conf: without the lines marked '# opensc-jpki' the file would not parse ('}' without a matching '{'); edit it by hand; file left unchanged" \
	"disable that would break the file: message"
expect_text "$(fingerprint "$scratch/leaning.conf")" "$before" "disable that would break the file leaves it"

run "$config_tool" status "$data/malformed-brace.conf"
expect_rc 2 "status of a malformed file"
expect_text "$err" "opensc-jpki-config: $data/malformed-brace.conf:1: '{' is never closed" "status error message"
run "$config_tool" status "$data/hand-configured.conf"
expect_rc 1 "status of a partial hand configuration"
expect_text "$out" "disabled: $data/hand-configured.conf: only partly configured for 'mynumber' (card_drivers lists it: no; card_driver block: yes; emulate block in framework pkcs15: no)" \
	"status names what is missing"

# ---- status loads the module the file names ----------------------------------
# Enabled, but the module cannot be used by this OpenSC: the "enabled:" line as
# always, a warning saying why and what to do, exit 3.
advice="rebuild the plugin against the installed OpenSC, or install the opensc-jpki package built for this release"
status_of_module() { # module, label: enables module in a fresh file and runs status
	cp "$data/debian-12-opensc.conf" "$scratch/modules.conf"
	"$config_tool" --module "$1" enable "$scratch/modules.conf" > /dev/null 2>&1 || fail "$2: enable failed"
	run "$config_tool" status "$scratch/modules.conf"
	expect_rc 3 "$2: status"
	expect_text "$out" "enabled: $scratch/modules.conf: card driver and PKCS#15 emulator 'mynumber' from $1" \
		"$2: status says enabled on stdout, and only that"
}

missing=$scratch/nowhere/opensc-jpki.so
status_of_module "$missing" "missing module"
expect_text "$err" "opensc-jpki-config: warning: $missing: No such file or directory; OpenSC cannot load the plugin: install it there, or enable the path it is installed at (opensc-jpki-config --module PATH enable)" \
	"missing module: warning"

printf 'This is no shared object, only text long enough for an ELF header.\n' > "$scratch/not-elf.so"
status_of_module "$scratch/not-elf.so" "not an ELF file"
expect_text "$err" "opensc-jpki-config: warning: cannot load $scratch/not-elf.so: invalid ELF header; OpenSC will not use the plugin; $advice" \
	"not an ELF file: warning quotes the dynamic linker"

# Built for another OpenSC release: it links a libopensc soname not installed
# here (a library of that soname, linked against and then removed).
cc=${CC:-cc}
mkdir "$scratch/soname"
printf 'int opensc_stub(void) { return 0; }\n' > "$scratch/soname/opensc.c"
printf 'int opensc_stub(void);\nconst char *sc_driver_version(void) { return opensc_stub() ? "" : "0.99.0"; }\n' \
	> "$scratch/soname/module.c"
(cd "$scratch/soname" && $cc -shared -fPIC -Wl,-soname,libopensc.so.99 -o libopensc.so.99 opensc.c \
	&& $cc -shared -fPIC -o other-soname.so module.c ./libopensc.so.99 && rm libopensc.so.99) \
	|| die "cannot build a module linking libopensc.so.99 with $cc"
status_of_module "$scratch/soname/other-soname.so" "module linking libopensc.so.99"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/other-soname.so was built for another OpenSC release: it needs libopensc.so.99, which is not installed, so OpenSC will not use the plugin; $advice" \
	"module linking libopensc.so.99: warning names the missing library"

# Loads, but is no OpenSC module at all.
printf 'int not_a_driver(void) { return 0; }\n' > "$scratch/soname/plain.c"
(cd "$scratch/soname" && $cc -shared -fPIC -o plain.so plain.c) || die "cannot build a plain shared object with $cc"
status_of_module "$scratch/soname/plain.so" "shared object without entry points"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/plain.so is not an opensc-jpki module: it has no sc_driver_version entry point; enable the path of opensc-jpki.so (opensc-jpki-config --module PATH enable)" \
	"shared object without entry points: warning"

# Same soname, another version (make check builds both; see tests/module/local.mk):
# one OpenSC's own prefix check refuses, one only the module's exact guard.
suffixed=$top_builddir/tests/module/.libs/opensc-jpki-suffixed.so
other=$top_builddir/tests/module/.libs/opensc-jpki-other.so
module_info=$top_builddir/tests/module/module-info
if [ ! -f "$suffixed" ] || [ ! -f "$other" ] || [ ! -x "$module_info" ]; then
	die "the test modules of tests/module are not built (make check builds them)"
fi
status_of_module "$suffixed" "module built for $version.1"
expect_text "$err" "opensc-jpki-config: warning: $suffixed was built for OpenSC $version.1, but the installed OpenSC is $version, so OpenSC will not use the plugin; $advice" \
	"module built for $version.1: warning names both versions"
other_version=$("$module_info" "$other" | sed -n 's/^version=//p')
if [ -z "$other_version" ] || [ "$other_version" = "$version" ]; then
	die "module-info read no other version from $other"
fi
status_of_module "$other" "module built for $other_version"
expect_text "$err" "opensc-jpki-config: warning: $other was built for OpenSC $other_version, but the installed OpenSC is $version, so OpenSC will not use the plugin; $advice" \
	"module built for $other_version: warning names both versions"

# Driver and emulator from two modules: each is checked, a good one said so.
cat > "$scratch/two-modules.conf" <<EOF
app default {
	card_drivers = mynumber, internal;
	card_driver mynumber { module = $module; }
	framework pkcs15 { emulate mynumber { module = $missing; } }
}
EOF
run "$config_tool" status "$scratch/two-modules.conf"
expect_rc 3 "two modules, the emulator's missing: status"
expect_text "$out" "enabled: $scratch/two-modules.conf: card driver 'mynumber' from $module, PKCS#15 emulator from $missing
card driver module: built for OpenSC $version, which is the one installed" "two modules: the usable one said so"
expect_text "$err" "opensc-jpki-config: warning: $missing: No such file or directory; OpenSC cannot load the plugin: install it there, or enable the path it is installed at (opensc-jpki-config --module PATH enable)" \
	"two modules: the missing one warned of"

# ---- arguments -------------------------------------------------------------
cp "$data/debian-12-opensc.conf" "$scratch/args.conf"
before=$(fingerprint "$scratch/args.conf")
run "$config_tool" --name jpki enable "$scratch/args.conf"
expect_rc 2 "--name jpki (OpenSC's built-in driver) refused"
run "$config_tool" --name 'a b' enable "$scratch/args.conf"
expect_rc 2 "--name with a blank refused"
run "$config_tool" --module relative/opensc-jpki.so enable "$scratch/args.conf"
expect_rc 2 "relative --module refused"
expect_text "$err" "opensc-jpki-config: --module 'relative/opensc-jpki.so': must be an absolute path without '\"' or newline" "relative --module message"
run "$config_tool" frobnicate "$scratch/args.conf"
expect_rc 2 "unknown command refused"
run "$config_tool" enable "$scratch/does-not-exist.conf"
expect_rc 2 "missing file refused"
expect_text "$err" "opensc-jpki-config: cannot open $scratch/does-not-exist.conf: No such file or directory" "missing file message"
expect_text "$(fingerprint "$scratch/args.conf")" "$before" "refused arguments leave the file"

# A module path with a blank is written quoted, as scconf needs.
mkdir -p "$scratch/with blank"
cp "$module" "$scratch/with blank/opensc-jpki.so"
run "$config_tool" --module "$scratch/with blank/opensc-jpki.so" enable "$scratch/args.conf"
expect_rc 0 "module path with a blank"
expect_text "$(grep -c "module = \"$scratch/with blank/opensc-jpki.so\"; # opensc-jpki\$" "$scratch/args.conf")" 2 "module path with a blank is quoted"
run "$config_tool" status "$scratch/args.conf"
expect_text "$out" "enabled: $scratch/args.conf: card driver and PKCS#15 emulator 'mynumber' from $scratch/with blank/opensc-jpki.so
$usable_line" "status unquotes the module"

finish
