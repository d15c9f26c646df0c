#!/bin/sh
# opensc-jpki-config on files: enable/disable round trips restore every byte,
# enabling twice changes nothing, status answers, malformed files are refused and
# left alone (bytes, mode and mtime), backups are written.
set -u
. "$top_srcdir/tests/config/config-lib.sh"

[ -x "$config_tool" ] || die "$config_tool is not built"
# As root, status loads only modules in directories that only root can write:
# the ones made here must not depend on the caller's umask.
umask 022
module=${OPENSC_JPKI_MODULE:?}
version=${OPENSC_JPKI_VERSION:?}
[ -f "$module" ] || die "no module at $module"
# status loads the module: the copy, which it loads as root too.
module=$(trusted_copy "$module" opensc-jpki.so) || exit 1
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
# Enabled under another name: not "partly configured" for this one.
printf 'app default {\n}\n' > "$scratch/other-name.conf"
run "$config_tool" --module "$module" --name other enable "$scratch/other-name.conf"
expect_rc 0 "enable under another --name"
run "$config_tool" status "$scratch/other-name.conf"
expect_rc 1 "status for 'mynumber' of a file enabled as 'other'"
expect_text "$out" "disabled: $scratch/other-name.conf: not configured for 'mynumber', but it has lines marked '# opensc-jpki' (enabled with another --name?)" \
	"status of a file enabled under another name"

# ---- status loads the module the file names ----------------------------------
# Enabled, but the module cannot be used by this OpenSC: the "enabled:" line as
# always, a warning saying why and what to do, exit 3. The module is loaded in
# a child process: whatever it does, status answers, within 20 s here.
advice="rebuild the plugin against the installed OpenSC, or install the opensc-jpki package built for this release"
enable_advice="enable the path of opensc-jpki.so (opensc-jpki-config --module PATH enable)"
status_of_conf() { # module, label: status of $scratch/modules.conf, which enables module
	run timeout 20 "$config_tool" status "$scratch/modules.conf"
	expect_rc 3 "$2: status"
	expect_text "$out" "enabled: $scratch/modules.conf: card driver and PKCS#15 emulator 'mynumber' from $1" \
		"$2: status says enabled on stdout, and only that"
}
status_of_module() { # module, label: enables module in a fresh file and runs status
	cp "$data/debian-12-opensc.conf" "$scratch/modules.conf"
	"$config_tool" --module "$1" enable "$scratch/modules.conf" > /dev/null 2>&1 || fail "$2: enable failed"
	status_of_conf "$@"
}
hand_conf() { # module as written in the file: a file enabling it, as enable would not write it
	cat > "$scratch/modules.conf" <<EOF
app default {
	card_drivers = mynumber, internal;
	card_driver mynumber { module = $1; }
	framework pkcs15 { emulate mynumber { module = $1; } }
}
EOF
}

missing=$scratch/nowhere/opensc-jpki.so
status_of_module "$missing" "missing module"
expect_text "$err" "opensc-jpki-config: warning: $missing: No such file or directory; OpenSC cannot load the plugin: install it there, or enable the path it is installed at (opensc-jpki-config --module PATH enable)" \
	"missing module: warning"

# Not a shared library at all: no advice to rebuild anything.
printf 'This is no shared object, only text long enough for an ELF header.\n' > "$scratch/not-elf.so"
status_of_module "$scratch/not-elf.so" "a text file"
expect_text "$err" "opensc-jpki-config: warning: $scratch/not-elf.so is not a shared library (invalid ELF header): $enable_advice" \
	"a text file: warning quotes the dynamic linker, and says to enable opensc-jpki.so"
printf 'x' > "$scratch/short.so"
status_of_module "$scratch/short.so" "a one-byte file"
expect_text "$err" "opensc-jpki-config: warning: $scratch/short.so is not a shared library (file too short): $enable_advice" \
	"a one-byte file: not a shared library"

# Not a regular file: never handed to the dynamic linker (a FIFO would block it).
mkfifo "$scratch/fifo.so" || die "cannot make a FIFO"
status_of_module "$scratch/fifo.so" "a FIFO as the module"
expect_text "$err" "opensc-jpki-config: warning: $scratch/fifo.so is not a regular file; OpenSC cannot load the plugin from it: $enable_advice" \
	"a FIFO as the module: not a regular file, no hang"
mkdir "$scratch/directory.so"
status_of_module "$scratch/directory.so" "a directory as the module"
expect_text "$err" "opensc-jpki-config: warning: $scratch/directory.so is not a regular file; OpenSC cannot load the plugin from it: $enable_advice" \
	"a directory as the module: not a regular file"
status_of_module /dev/zero "/dev/zero as the module"
expect_text "$err" "opensc-jpki-config: warning: /dev/zero is not a regular file; OpenSC cannot load the plugin from it: $enable_advice" \
	"/dev/zero as the module: not a regular file"

hand_conf '""'
status_of_conf "" "an empty module path"
expect_text "$err" "opensc-jpki-config: warning: the configuration names an empty module path; OpenSC cannot load the plugin: $enable_advice" \
	"an empty module path: warning"

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

# OpenSC needs all three entry points: the right version, and the installed
# libopensc linked, are not enough.
opensc_lib=${OPENSC_JPKI_LIB:?}
printf 'const char *sc_driver_version(void) { return "%s"; }\n' "$version" > "$scratch/soname/version-only.c"
printf 'void *sc_module_init(const char *name) { return (void *)0; }\n' > "$scratch/soname/init.c"
(cd "$scratch/soname" && $cc -shared -fPIC -o version-only.so version-only.c -Wl,--no-as-needed "$opensc_lib" \
	&& $cc -shared -fPIC -o no-emulator.so version-only.c init.c -Wl,--no-as-needed "$opensc_lib") \
	|| die "cannot build the entry point modules with $cc and $opensc_lib"
status_of_module "$scratch/soname/version-only.so" "only sc_driver_version, answering $version"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/version-only.so is not an opensc-jpki module: it has no sc_module_init entry point; $enable_advice" \
	"only sc_driver_version: not an opensc-jpki module"
status_of_module "$scratch/soname/no-emulator.so" "no sc_pkcs15_init_func_ex"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/no-emulator.so is not an opensc-jpki module: it has no sc_pkcs15_init_func_ex entry point; $enable_advice" \
	"no sc_pkcs15_init_func_ex: not an opensc-jpki module"

# Loading runs the module's constructors, in a child process: what they do is
# a verdict, and the "enabled:" line is printed whatever it is. The marker file
# says whether the module's code ran at all.
marker=$scratch/constructor-ran
expect_marker() { # yes|no, what: whether the marker module's constructor ran
	if [ -e "$marker" ]; then ran=yes; else ran=no; fi
	expect_text "$ran" "$1" "$2: its constructor ran"
}
expect_quick() { # seconds, what: the time since $started is below seconds
	took=$(($(date +%s) - started))
	if [ "$took" -lt "$1" ]; then
		pass "$2: took $took s"
	else
		fail "$2: took $took s, not under $1 s"
	fi
}
constructor_module() { # name, C statements: a module whose constructor runs them
	printf '#include <fcntl.h>\n#include <signal.h>\n#include <unistd.h>\n__attribute__((constructor)) static void init(void) { close(open("%s", O_WRONLY | O_CREAT, 0600)); %s }\n' \
		"$marker" "$2" > "$scratch/soname/$1.c"
	(cd "$scratch/soname" && $cc -shared -fPIC -o "$1.so" "$1.c") || die "cannot build $1.so with $cc"
}
# (Its output goes nowhere: stdout is for the "enabled:" line scripts read.)
constructor_module exits 'write(1, "from the constructor\n", 21); _exit(0);'
rm -f "$marker"
status_of_module "$scratch/soname/exits.so" "a constructor that calls _exit(0)"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/exits.so: loading it exited the process (exit status 0) before it could be checked; OpenSC may exit loading it too: check it, or $enable_advice" \
	"a constructor that calls _exit(0): exited, says status"
expect_marker yes "a constructor that calls _exit(0)"
constructor_module crashes '*(volatile int *)0 = 1;'
status_of_module "$scratch/soname/crashes.so" "a constructor that segfaults"
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/crashes.so: loading it crashed the process (signal 11, Segmentation fault); OpenSC may crash loading it too: check it, or $enable_advice" \
	"a constructor that segfaults: crashed, with the signal"
constructor_module sleeps 'sleep(30);'
started=$(date +%s)
OPENSC_JPKI_CONFIG_LOAD_TIMEOUT=2
export OPENSC_JPKI_CONFIG_LOAD_TIMEOUT
status_of_module "$scratch/soname/sleeps.so" "a constructor that sleeps 30 s"
unset OPENSC_JPKI_CONFIG_LOAD_TIMEOUT
expect_text "$err" "opensc-jpki-config: warning: $scratch/soname/sleeps.so did not finish loading within 2 s, so it was stopped; OpenSC may hang loading it too: check it, or $enable_advice" \
	"a constructor that sleeps 30 s: stopped after OPENSC_JPKI_CONFIG_LOAD_TIMEOUT seconds"
expect_quick 10 "a constructor that sleeps 30 s"
# A constructor that forks: the forked process holds none of the caller's
# pipes (a `status | cat` or the prerm's $(...) does not wait for it), and it
# goes when the check ends (it would write the second marker after 3 s).
constructor_module forks "if (fork() == 0) { sleep(3); close(open(\"$marker.late\", O_WRONLY | O_CREAT, 0600)); _exit(0); }"
rm -f "$marker" "$marker.late"
cp "$data/debian-12-opensc.conf" "$scratch/modules.conf"
"$config_tool" --module "$scratch/soname/forks.so" enable "$scratch/modules.conf" > /dev/null 2>&1 || fail "forks.so: enable failed"
started=$(date +%s)
timeout 20 sh -c '"$1" status "$2" 2>&1 | cat' sh "$config_tool" "$scratch/modules.conf" > "$scratch/forks.out"
expect_quick 3 "a constructor that forks: status | cat"
expect_marker yes "a constructor that forks"
if grep -qF "$scratch/soname/forks.so is not an opensc-jpki module" "$scratch/forks.out"; then
	pass "a constructor that forks: the verdict still comes (not an opensc-jpki module)"
else
	fail "a constructor that forks: $(tr '\n' ' ' < "$scratch/forks.out")"
fi
sleep 4
if [ -e "$marker.late" ]; then fail "a constructor that forks: the forked process outlived the check"; else pass "a constructor that forks: the forked process went with the check"; fi
# A limit that is no number of seconds: said, and the default used.
hand_conf "$module"
run env OPENSC_JPKI_CONFIG_LOAD_TIMEOUT=soon "$config_tool" status "$scratch/modules.conf"
expect_rc 0 "OPENSC_JPKI_CONFIG_LOAD_TIMEOUT=soon: status"
expect_text "$err" "opensc-jpki-config: warning: ignoring OPENSC_JPKI_CONFIG_LOAD_TIMEOUT=soon (not 1 to 3600 seconds); using 10" \
	"OPENSC_JPKI_CONFIG_LOAD_TIMEOUT=soon: ignored, said so"

# A name without '/' is one the dynamic linker searches for, as OpenSC does.
# As root status does not load it: the file it would get is not known before.
# (Not found as another user: below, with the unreadable module.)
if [ "$(id -u)" -eq 0 ]; then
	hand_conf opensc-jpki-nowhere.so
	status_of_conf opensc-jpki-nowhere.so "a name without '/', as root"
	expect_text "$err" "opensc-jpki-config: warning: opensc-jpki-nowhere.so: it is named without a '/', so the dynamic linker's search picks the file, which cannot be checked before loading it; not loaded: as root, opensc-jpki-config loads only root-owned modules that only root can write (OpenSC itself would load it: check it)" \
		"a name without '/', as root: not loaded"
fi

# Same soname, another version (make check builds both; see tests/module/local.mk):
# one OpenSC's own prefix check refuses, one only the module's exact guard.
suffixed=$top_builddir/tests/module/.libs/opensc-jpki-suffixed.so
other=$top_builddir/tests/module/.libs/opensc-jpki-other.so
module_info=$top_builddir/tests/module/module-info
if [ ! -f "$suffixed" ] || [ ! -f "$other" ] || [ ! -x "$module_info" ]; then
	die "the test modules of tests/module are not built (make check builds them)"
fi
suffixed=$(trusted_copy "$suffixed" opensc-jpki-suffixed.so) || exit 1
other=$(trusted_copy "$other" opensc-jpki-other.so) || exit 1
status_of_module "$suffixed" "module built for $version.1"
expect_text "$err" "opensc-jpki-config: warning: $suffixed was built for OpenSC $version.1, but the installed OpenSC is $version, so OpenSC will not use the plugin; $advice" \
	"module built for $version.1: warning names both versions"
other_version=$("$module_info" "$other" | sed -n 's/^version=//p')
if [ -z "$other_version" ] || [ "$other_version" = "$version" ]; then
	die "module-info read no other version from $other"
fi
other_pin_cmd=$(trusted_copy "$top_builddir/tests/module/.libs/opensc-jpki-other-pin-cmd.so" opensc-jpki-other-pin-cmd.so) || exit 1
status_of_module "$other_pin_cmd" "module built for $version with the other pin_cmd"
case "$err" in
	"opensc-jpki-config: warning: $other_pin_cmd was built for OpenSC $version, and the installed OpenSC says $version too, but the module refuses it (opensc-jpki: refused: built for "*"), so OpenSC will not use the plugin; $advice")
		case "$err" in
			*"pin_cmd"*"#3589"*"also says $version"*|*"pin_cmd"*"also says $version"*"#3589"*)
				pass "module built for the other pin_cmd: warning says the versions agree and why it is refused" ;;
			*) fail "module built for the other pin_cmd: the warning does not name pin_cmd and PR #3589: '$err'" ;;
		esac ;;
	*) fail "module built for the other pin_cmd: warning was '$err'" ;;
esac
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

# ---- who loads what ----------------------------------------------------------
# As root (the package's prerm runs status), only a module that root owns and
# only root can write, in a directory that is the same, is loaded: anything
# else would run another user's code as root. The marker module proves both
# ways: refused, its constructor never ran; trusted, it did.
constructor_module marks ''
if [ "$(id -u)" -eq 0 ]; then
	nobody_uid=$(id -u nobody 2> /dev/null) || die "no user nobody to own the test modules"
	as_root_words="not loaded: as root, opensc-jpki-config loads only root-owned modules that only root can write (OpenSC itself would load it: check it)"
	mkdir "$scratch/foreign"
	cp "$scratch/soname/marks.so" "$scratch/foreign/marks.so"
	untrusted() { # label, why: status refuses $scratch/foreign/marks.so without loading it
		rm -f "$marker"
		status_of_module "$scratch/foreign/marks.so" "as root, $1"
		expect_text "$err" "opensc-jpki-config: warning: $scratch/foreign/marks.so: $2; $as_root_words" \
			"as root, $1: not loaded, says why"
		expect_marker no "as root, $1"
	}
	chown nobody "$scratch/foreign/marks.so"
	untrusted "a module owned by nobody" "it is owned by uid $nobody_uid"
	chown root "$scratch/foreign/marks.so"
	chmod 664 "$scratch/foreign/marks.so"
	untrusted "a group-writable module" "it is writable by group or others (mode 0664)"
	chmod 646 "$scratch/foreign/marks.so"
	untrusted "a module others can write" "it is writable by group or others (mode 0646)"
	chmod 644 "$scratch/foreign/marks.so"
	chown nobody "$scratch/foreign"
	untrusted "a module in a directory owned by nobody" "its directory $scratch/foreign is owned by uid $nobody_uid"
	chown root "$scratch/foreign"
	chmod 1777 "$scratch/foreign"
	untrusted "a module in a world-writable directory" "its directory $scratch/foreign is writable by group or others (mode 1777)"
	chmod 755 "$scratch/foreign"
	# A directory above it that others can write (not sticky): they could
	# rename the module's directory and put their own in its place.
	mkdir -p "$scratch/open/sub"
	cp "$scratch/soname/marks.so" "$scratch/open/sub/marks.so"
	chmod 777 "$scratch/open"
	rm -f "$marker"
	status_of_module "$scratch/open/sub/marks.so" "as root, a module below a world-writable directory"
	expect_text "$err" "opensc-jpki-config: warning: $scratch/open/sub/marks.so: the directory above it, $scratch/open, is writable by group or others, not sticky (mode 0777); $as_root_words" \
		"as root, a module below a world-writable directory: not loaded, says why"
	expect_marker no "as root, a module below a world-writable directory"
	chmod 755 "$scratch/open"
	chown nobody "$scratch/open"
	rm -f "$marker"
	status_of_module "$scratch/open/sub/marks.so" "as root, a module below a directory owned by nobody"
	expect_text "$err" "opensc-jpki-config: warning: $scratch/open/sub/marks.so: the directory above it, $scratch/open, is owned by uid $nobody_uid; $as_root_words" \
		"as root, a module below a directory owned by nobody: not loaded, says why"
	expect_marker no "as root, a module below a directory owned by nobody"
	chown root "$scratch/open"
	# Through a link in a directory anyone can write: the file it resolves to
	# is what is checked, and what is loaded.
	mkdir -m 1777 "$scratch/public"
	ln -s "$scratch/foreign/marks.so" "$scratch/public/link.so"
	rm -f "$marker"
	status_of_module "$scratch/public/link.so" "as root, a link to a module only root can change"
	expect_text "$err" "opensc-jpki-config: warning: $scratch/public/link.so is not an opensc-jpki module: it has no sc_driver_version entry point; $enable_advice" \
		"as root, a link to a module only root can change: loaded"
	expect_marker yes "as root, a link to a module only root can change"
	# The real module, in a directory nobody owns: refused as well.
	mkdir "$scratch/nobody-dir"
	cp "$module" "$scratch/nobody-dir/opensc-jpki.so"
	chown nobody "$scratch/nobody-dir"
	status_of_module "$scratch/nobody-dir/opensc-jpki.so" "as root, opensc-jpki.so in a directory owned by nobody"
	expect_text "$err" "opensc-jpki-config: warning: $scratch/nobody-dir/opensc-jpki.so: its directory $scratch/nobody-dir is owned by uid $nobody_uid; $as_root_words" \
		"as root, opensc-jpki.so in a directory owned by nobody: not loaded"
else
	rm -f "$marker"
	cp "$scratch/soname/marks.so" "$scratch/marks.so"
	chmod 666 "$scratch/marks.so"
	status_of_module "$scratch/marks.so" "not root, a module anyone can write"
	expect_marker yes "not root, a module anyone can write (loaded, as OpenSC would)"
	echo "skip: the as-root rule (not run as root)"
fi

# A module the user cannot read: said so, with the uid, and no advice to
# install it (another user's OpenSC may read it). As root, as nobody: the
# scratch directory lets nobody pass through to a directory of its own.
as_user() { "$@"; }
user_tool=$config_tool
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv > /dev/null || die "setpriv (util-linux) is not installed"
	as_user() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
	chmod 711 "$scratch"
	# The build tree may be out of nobody's reach (a clone in /root): a copy
	# of the tool in the scratch directory is not.
	user_tool=$scratch/opensc-jpki-config
	cp "$config_tool" "$user_tool"
	chmod 755 "$user_tool"
fi
reader_uid=$(as_user id -u 2>/dev/null) || reader_uid=""
if [ -z "$reader_uid" ]; then
	# A system where nobody cannot even run id (a chroot whose "/" only root
	# may pass): what is under test is not reachable here.
	echo "skip: the unreadable-module and bare-name cases (user nobody cannot run programs here)"
	[ "$(id -u)" -ne 0 ] || chmod 700 "$scratch"
fi
if [ -n "$reader_uid" ]; then
mkdir "$scratch/unreadable"
cp "$data/debian-12-opensc.conf" "$scratch/unreadable/opensc.conf"
cp "$module" "$scratch/unreadable/opensc-jpki.so"
"$config_tool" --module "$scratch/unreadable/opensc-jpki.so" enable "$scratch/unreadable/opensc.conf" > /dev/null 2>&1 \
	|| fail "unreadable module: enable failed"
chmod 644 "$scratch/unreadable/opensc.conf"
chmod 000 "$scratch/unreadable/opensc-jpki.so"
run as_user timeout 20 "$user_tool" status "$scratch/unreadable/opensc.conf"
expect_rc 3 "a module uid $reader_uid cannot read: status"
expect_text "$err" "opensc-jpki-config: warning: cannot read $scratch/unreadable/opensc-jpki.so: Permission denied (running as uid $reader_uid)" \
	"a module uid $reader_uid cannot read: says so, and who"
# A name without '/' found nowhere in the library path, as a user that loads it.
if [ "$reader_uid" -ne 0 ]; then
	sed "s|$scratch/unreadable/opensc-jpki.so|opensc-jpki-nowhere.so|" "$scratch/unreadable/opensc.conf" \
		> "$scratch/unreadable/bare.conf"
	chmod 644 "$scratch/unreadable/bare.conf"
	run as_user timeout 20 "$user_tool" status "$scratch/unreadable/bare.conf"
	expect_rc 3 "a name without '/' found nowhere: status"
	expect_text "$err" "opensc-jpki-config: warning: cannot load opensc-jpki-nowhere.so: cannot open shared object file: No such file or directory; OpenSC searches the library path for a module named without a '/', and it is not there: enable its absolute path (opensc-jpki-config --module PATH enable)" \
		"a name without '/' found nowhere: the library path searched, an absolute path suggested"
fi
[ "$(id -u)" -ne 0 ] || chmod 700 "$scratch"
fi

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
# A FIFO as the file: refused at once, no hang waiting for a writer.
mkfifo "$scratch/fifo.conf" || die "cannot make a FIFO"
for command in status enable; do
	started=$(date +%s)
	run timeout 20 "$config_tool" "$command" "$scratch/fifo.conf"
	expect_rc 2 "a FIFO as the file: $command"
	expect_text "$err" "opensc-jpki-config: $scratch/fifo.conf is not a regular file" "a FIFO as the file: $command says so"
	expect_quick 5 "a FIFO as the file: $command"
done

# A module path with a blank is written quoted, as scconf needs.
mkdir -p "$scratch/with blank"
cp "$module" "$scratch/with blank/opensc-jpki.so"
chmod 644 "$scratch/with blank/opensc-jpki.so"
run "$config_tool" --module "$scratch/with blank/opensc-jpki.so" enable "$scratch/args.conf"
expect_rc 0 "module path with a blank"
expect_text "$(grep -c "module = \"$scratch/with blank/opensc-jpki.so\"; # opensc-jpki\$" "$scratch/args.conf")" 2 "module path with a blank is quoted"
run "$config_tool" status "$scratch/args.conf"
expect_text "$out" "enabled: $scratch/args.conf: card driver and PKCS#15 emulator 'mynumber' from $scratch/with blank/opensc-jpki.so
$usable_line" "status unquotes the module"

finish
