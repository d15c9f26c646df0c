#!/bin/sh
# The main job: install what is needed, build, and show the stock `pkcs15-tool
# --dump` of the bundled virtual My Number Card through the plugin.
# Says each step on stderr ("demo: ..."); the dump is on stdout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "demo: $*" >&2; }

# First of all: is this system's OpenSC a release this tree is made for? Asked
# of dpkg before anything is installed (the installed package, else the one apt
# would install), so an unsupported system is refused before it is changed.
say "checking which OpenSC release this system has"
opensc=""
if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ]; then
	OPENSC_JPKI_OPENSC_SRC=$(cd "$OPENSC_JPKI_OPENSC_SRC" 2>/dev/null && pwd) ||
		{ say "OPENSC_JPKI_OPENSC_SRC: no folder $OPENSC_JPKI_OPENSC_SRC"; exit 1; }
	export OPENSC_JPKI_OPENSC_SRC
	# An OpenSC not from Debian's packages: its library says which it is
	# (when there is a compiler yet to ask it with).
	"$top/scripts/opensc-version.sh" --lib >/dev/null 2>&1 ||
		{ say "OPENSC_JPKI_OPENSC_SRC is set, but no OpenSC is installed: install it first"; exit 1; }
	opensc=$("$top/scripts/opensc-version.sh" 2>/dev/null || true)
elif command -v dpkg-query >/dev/null 2>&1; then
	if [ "$(dpkg-query -W -f '${db:Status-Status}' opensc-pkcs11 2>/dev/null || true)" = installed ]; then
		opensc=$(dpkg-query -W -f '${Version}' opensc-pkcs11)
	else
		candidate() { apt-cache policy opensc-pkcs11 2>/dev/null | sed -n 's/^ *Candidate: *//p'; }
		opensc=$(candidate)
		if { [ -z "$opensc" ] || [ "$opensc" = "(none)" ]; } && [ "$(id -u)" = 0 ]; then
			say "apt knows no opensc-pkcs11 yet"
			"$top/scripts/apt-update.sh"
			opensc=$(candidate)
		fi
		[ "$opensc" != "(none)" ] || opensc=""
	fi
fi
if [ -n "$opensc" ]; then
	verdict=$("$top/scripts/opensc-supported.sh" "$opensc" 2>&1) || { say "$verdict"; exit 1; }
	[ -z "$verdict" ] || say "$verdict"
	say "OpenSC $opensc; supported: $("$top/scripts/opensc-supported.sh" --list)"
else
	say "cannot tell the OpenSC release before building; configure will check it"
fi

# fetch-opensc-src.sh says so itself when it adds an apt source. With
# OPENSC_JPKI_OPENSC_SRC=DIR the system's own OpenSC stays, and DIR is its
# source (install-deps.sh).
say "installing the Debian packages to build and run the demo, and fetching the OpenSC source (scripts/install-deps.sh --demo)"
"$top/scripts/install-deps.sh" --demo
say "OpenSC source tree: ${OPENSC_JPKI_OPENSC_SRC:-$("$top/scripts/fetch-opensc-src.sh")}"
say "building (scripts/build.sh plain: autoreconf, configure, make in build/plain)"
"$top/scripts/build.sh" plain
b=$top/build/plain
identity=$b/demo-identity
if [ ! -f "$identity/facts" ]; then
	say "making the virtual card's identity in $identity (jpki-sim-gen)"
	"$b/sim/jpki-sim-gen" --out "$identity" >/dev/null
fi
export top_srcdir="$top" top_builddir="$b" OPENSC_JPKI_MODULE="$b/src/.libs/opensc-jpki.so"
# OpenSC falls back to its built-in driver, silently, when it cannot use the
# module (built for another OpenSC): the dump would look almost the same. The
# module is asked first, as OpenSC loads it (tests/module/module-info), and
# the demo stops there with the module's own reason.
say "checking that this OpenSC can use the module"
refusal=$("$b/tests/module/module-info" "$OPENSC_JPKI_MODULE" 2>&1 | sed -n 's/^refusal=//p')
[ "$refusal" = "(none)" ] || {
	say "OpenSC cannot use the module just built: ${refusal:-$("$b/tests/module/module-info" "$OPENSC_JPKI_MODULE" 2>&1 | tail -n 1)}"
	exit 1
}
say "starting a private pcscd with the virtual card, and running pkcs15-tool --dump through the plugin"
exec "$top/tests/harness/with-card.sh" --identity "$identity" --conf plugin-first -- pkcs15-tool --dump
