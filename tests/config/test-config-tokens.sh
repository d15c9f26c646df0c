#!/bin/sh
# opensc-jpki-config --tokens auth|sign|all enable FILE: the whole configuration
# of one application, byte for byte; what it prints; rewriting only its own
# files; refusals (exit 2, a message naming the problem, the file untouched).
# That OpenSC and an NSS client read the file as meant: tests/clients/e2e-pdfsig.sh.
set -u
. "$top_srcdir/tests/config/config-lib.sh"

[ -x "$config_tool" ] || die "$config_tool is not built"
umask 022
# The module this build made: enable checks that OpenSC can use the module it
# names, as status does, and warns when it cannot.
module=$(trusted_copy "${OPENSC_JPKI_MODULE:?}" opensc-jpki.so) || exit 1

# The file --tokens WHICH writes for $module: the expected bytes.
expected_file() { # auth|sign|all, create_slots_for_pins value, what the tokens are, [card_info line]
	cat <<EOF
# Written by opensc-jpki-config --tokens $1
# An OpenSC configuration for one application: give it to that application
# alone (OPENSC_CONF=THIS-FILE application ...). It replaces the system-wide
# opensc.conf for it, so it is complete; its PKCS#11 applications see
# $3 of a My Number Card.
app default {
	card_drivers = mynumber, internal;
	card_driver mynumber {
		module = $module;
${4:+$4
}	}
	framework pkcs15 {
		emulate mynumber {
			module = $module;
		}
	}
}
app opensc-pkcs11 {
	pkcs11 {
		create_slots_for_pins = "$2";
	}
}
EOF
}

# ---- a new file for each choice ----------------------------------------------
check_new() { # auth|sign|all, create_slots_for_pins value, what the file says, what stdout says
	file=$scratch/$1.conf
	run "$config_tool" --module "$module" --tokens "$1" enable "$file"
	expect_rc 0 "--tokens $1: enable of a new file"
	expected_file "$1" "$2" "$3" > "$scratch/expected-$1.conf"
	expect_same_file "$file" "$scratch/expected-$1.conf" "--tokens $1: exactly the expected file"
	expect_text "$(stat -c %a "$file")" 644 "--tokens $1: a new file is mode 644 (it holds no secret)"
	expect_text "$(sed -n 1p "$scratch/.out")" \
		"opensc-jpki-config: wrote $file: 'mynumber' (module $module), PKCS#11 applications see $4 (create_slots_for_pins = \"$2\")" \
		"--tokens $1: says what it wrote"
	expect_text "$(sed -n 2,3p "$scratch/.out")" \
		"use it for that application alone; every other one keeps the system-wide configuration:
  OPENSC_CONF=$file APPLICATION [ARGUMENTS]" "--tokens $1: says how to use it"
	expect_text "$err" "" "--tokens $1: no warning"
	[ -e "$file.opensc-jpki.bak" ] && fail "--tokens $1: a backup of a file that did not exist"
}
check_new auth user "only the User Authentication PIN's token" "only the User Authentication PIN's token"
check_new sign sign "only the Digital Signature PIN's token" "only the Digital Signature PIN's token"
check_new all user,sign "the User Authentication and the Digital Signature PIN's tokens" "both JPKI tokens"
expect_text "$(sed -n 4,5p "$scratch/.out")" "" "--tokens all: no pdfsig example"
run "$config_tool" --module "$module" --tokens sign enable "$scratch/sign.conf"
# The token's name depends on OpenSC's version (tests/config/test-conf-app.c);
# whether NSS shows that name, tests/clients/e2e-pdfsig.sh.
expect_text "$(sed -n 4,5p "$scratch/.out" | sed -e "s/-nick 'JPKI:/-nick 'TOKEN:/" \
		-e "s/-nick 'JPKI (Digital Signature PIN):/-nick 'TOKEN:/")" \
	"for example, to sign a PDF with the Digital Signature Key through NSS (doc/clients.md):
  OPENSC_CONF=$scratch/sign.conf pdfsig -add-signature -nssdir sql:DB -nss-pwd SIGNPIN -kpw SIGNPIN -nick 'TOKEN:Digital Signature Certificate' IN.pdf OUT.pdf" \
	"--tokens sign: the pdfsig example, with one of the two token names OpenSC gives"

# ---- the same again: nothing changes -----------------------------------------
before=$(fingerprint "$scratch/sign.conf")
sleep 0.01
run "$config_tool" --module "$module" --tokens sign enable "$scratch/sign.conf"
expect_rc 0 "--tokens sign twice"
expect_text "$(sed -n 1p "$scratch/.out")" \
	"opensc-jpki-config: $scratch/sign.conf already configures 'mynumber' with --tokens sign; nothing changed" \
	"--tokens sign twice: says nothing changed"
expect_text "$(fingerprint "$scratch/sign.conf")" "$before" "--tokens sign twice: bytes and mtime kept"

# ---- its own file rewritten with another choice: mode kept -------------------
chmod 600 "$scratch/sign.conf"
run "$config_tool" --module "$module" --tokens auth enable "$scratch/sign.conf"
expect_rc 0 "--tokens auth over a --tokens sign file"
expect_same_file "$scratch/sign.conf" "$scratch/expected-auth.conf" "--tokens auth over sign: the auth file"
expect_text "$(stat -c %a "$scratch/sign.conf")" 600 "--tokens auth over sign: mode kept"
expect_text "$(find "$scratch" -name 'sign.conf.??????' | wc -l)" 0 "--tokens: no temporary file left"

# ---- a relative FILE: the usage line names it absolutely ----------------------
mkdir "$scratch/rel"
(cd "$scratch/rel" && "$config_tool" --module "$module" --tokens sign enable app.conf) > "$scratch/.out" 2>&1
expect_text "$(sed -n 3p "$scratch/.out")" "  OPENSC_CONF=$scratch/rel/app.conf APPLICATION [ARGUMENTS]" \
	"relative FILE: OPENSC_CONF names its absolute path"

# ---- a symlink to its own file: the target is written, the link stays --------
cp "$scratch/expected-all.conf" "$scratch/target.conf"
ln -s target.conf "$scratch/link.conf"
run "$config_tool" --module "$module" --tokens sign enable "$scratch/link.conf"
expect_rc 0 "--tokens through a symlink"
[ -L "$scratch/link.conf" ] && pass "symlink: still a link" || fail "symlink: replaced by a file"
expect_same_file "$scratch/target.conf" "$scratch/expected-sign.conf" "symlink: the target rewritten"

# ---- --card-info, and a module path scconf needs quoted -------------------------
run "$config_tool" --module "$module" --card-info --tokens sign enable "$scratch/card-info.conf"
expect_rc 0 "--tokens sign --card-info"
expected_file sign sign "only the Digital Signature PIN's token" "		card_info = yes;" > "$scratch/expected-card-info.conf"
expect_same_file "$scratch/card-info.conf" "$scratch/expected-card-info.conf" "--card-info: card_info = yes in the driver block"
mkdir -p "$scratch/with blank"
run "$config_tool" --module "$scratch/with blank/opensc-jpki.so" --tokens sign enable "$scratch/blank.conf"
expect_rc 0 "--tokens with a module path holding a blank"
expect_text "$(grep -c "module = \"$scratch/with blank/opensc-jpki.so\";\$" "$scratch/blank.conf")" 2 \
	"a module path with a blank is quoted, twice"
expect_text "$err" "opensc-jpki-config: warning: $scratch/with blank/opensc-jpki.so: No such file or directory; OpenSC will not load the plugin until it exists" \
	"a module that is not there: warned"

# ---- a module OpenSC cannot use: written, and warned as status would -----------
: > "$scratch/lib/empty.so"
run "$config_tool" --module "$scratch/lib/empty.so" --tokens sign enable "$scratch/empty-module.conf"
expect_rc 0 "--tokens with an empty module file"
case $err in
"opensc-jpki-config: warning: $scratch/lib/empty.so is not a shared library (file too short): "*)
	pass "an empty module file: warned" ;;
*) fail "an empty module file: warning was [$err]" ;;
esac

# ---- status reads the file OpenSC reads: $OPENSC_CONF when set ---------------------
run env OPENSC_CONF="$scratch/target.conf" "$config_tool" status
expect_rc 0 "status with OPENSC_CONF naming a --tokens file"
expect_text "$(sed -n 1p "$scratch/.out")" \
	"enabled: $scratch/target.conf: card driver and PKCS#15 emulator 'mynumber' from $module" \
	"status with OPENSC_CONF: reads that file"

# ---- disable of a --tokens file: left alone, and says how to undo it ---------------
before=$(fingerprint "$scratch/target.conf")
run "$config_tool" disable "$scratch/target.conf"
expect_rc 0 "disable of a --tokens file"
expect_text "$(cat "$scratch/.out")" \
	"opensc-jpki-config: $scratch/target.conf was written whole by opensc-jpki-config --tokens for one application; nothing changed: delete it to undo" \
	"disable of a --tokens file: says to delete it"
expect_text "$(fingerprint "$scratch/target.conf")" "$before" "disable of a --tokens file: unchanged"

# ---- plain enable of a --tokens file: refused, and says how to rewrite it ----------
run "$config_tool" --module "$module" enable "$scratch/target.conf"
expect_rc 2 "plain enable of a --tokens file"
expect_text "$err" \
	"opensc-jpki-config: $scratch/target.conf was written whole by opensc-jpki-config --tokens for one application; file left unchanged: rewrite it with --tokens auth|sign|all enable $scratch/target.conf" \
	"plain enable of a --tokens file: says how to rewrite it"
expect_text "$(fingerprint "$scratch/target.conf")" "$before" "plain enable of a --tokens file: unchanged"

# ---- plain enable while OPENSC_CONF names another file: warned ----------------------
cp "$data/debian-12-opensc.conf" "$scratch/edited.conf"
run env OPENSC_CONF="$scratch/target.conf" "$config_tool" --module "$module" enable "$scratch/edited.conf"
expect_rc 0 "plain enable with OPENSC_CONF naming another file"
expect_text "$err" \
	"opensc-jpki-config: warning: OPENSC_CONF=$scratch/target.conf is set: OpenSC started from this environment reads that file, not this one" \
	"plain enable with OPENSC_CONF naming another file: warned"
run env OPENSC_CONF="$scratch/edited.conf" "$config_tool" --module "$module" disable "$scratch/edited.conf"
run env OPENSC_CONF="$scratch/edited.conf" "$config_tool" --module "$module" enable "$scratch/edited.conf"
expect_text "$err" "" "plain enable of the file OPENSC_CONF names: no warning"

# ---- refusals: exit 2, a clear message, nothing written ---------------------------
refused() { # what, expected stderr, arguments...
	what=$1
	message=$2
	shift 2
	run "$config_tool" "$@"
	expect_rc 2 "$what"
	expect_text "$(sed -n 1p "$scratch/.err")" "$message" "$what: message"
}
cp "$data/debian-12-opensc.conf" "$scratch/system.conf"
before=$(fingerprint "$scratch/system.conf")
sleep 0.01
refused "--tokens over a file it did not write" \
	"opensc-jpki-config: $scratch/system.conf exists and was not written by opensc-jpki-config --tokens; file left unchanged: name a new file for the application (plain enable edits the system-wide configuration)" \
	--module "$module" --tokens sign enable "$scratch/system.conf"
expect_text "$(fingerprint "$scratch/system.conf")" "$before" "--tokens over another file: bytes, mode and mtime kept"
[ -e "$scratch/system.conf.opensc-jpki.bak" ] && fail "--tokens over another file: a backup was written"
for bad in bogus SIGN "" user auth,sign; do
	refused "--tokens '$bad'" \
		"opensc-jpki-config: --tokens $bad: use auth (the User Authentication PIN's token), sign (the Digital Signature PIN's) or all (both)" \
		--module "$module" --tokens "$bad" enable "$scratch/bad.conf"
	[ -e "$scratch/bad.conf" ] && fail "--tokens '$bad': wrote a file"
done
refused "--tokens without a value" \
	"opensc-jpki-config: --tokens needs a value: use auth (the User Authentication PIN's token), sign (the Digital Signature PIN's) or all (both)" \
	--tokens
refused "--tokens without FILE" \
	"opensc-jpki-config: --tokens writes the configuration of one application: name its FILE (then OPENSC_CONF=FILE for that application)" \
	--module "$module" --tokens sign enable
for command in disable status; do
	refused "--tokens with $command" \
		"opensc-jpki-config: --tokens goes with enable only (status reads any FILE as it is; delete an application's FILE to undo it)" \
		--tokens sign "$command" "$scratch/auth.conf"
done
expect_same_file "$scratch/auth.conf" "$scratch/expected-auth.conf" "refused disable/status left the file"
refused "--tokens with a reserved --name" \
	"opensc-jpki-config: --name 'jpki': use letters, digits, '_' and '-', not a name OpenSC resolves itself (internal, old, jpki, default)" \
	--name jpki --tokens sign enable "$scratch/bad.conf"
refused "--tokens with a relative --module" \
	"opensc-jpki-config: --module 'lib/opensc-jpki.so': must be an absolute path without '\"' or newline" \
	--module lib/opensc-jpki.so --tokens sign enable "$scratch/bad.conf"
refused "--tokens into a folder that does not exist" \
	"opensc-jpki-config: cannot create a file next to $scratch/nowhere/app.conf: No such file or directory" \
	--module "$module" --tokens sign enable "$scratch/nowhere/app.conf"
[ -e "$scratch/bad.conf" ] && fail "a refused --tokens wrote $scratch/bad.conf"

finish
