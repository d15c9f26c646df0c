#!/bin/sh
# Installs everything the build and the tests need on Debian (12 bookworm, 13
# trixie, sid), then fetches the matching OpenSC source tree. Idempotent:
# packages already present are not asked for, and apt-get update runs only
# when something is missing. Every step that changes the system says so on stderr.
#   install-deps.sh [--demo]   --demo: only what scripts/demo.sh needs (no
#                              clang, valgrind or the test clients, such as
#                              openssh-server, of packages-extra.txt)
# With OPENSC_JPKI_OPENSC_SRC=DIR (an OpenSC not from Debian's packages: built
# from source, or another distribution's) no Debian OpenSC package is
# installed over the system's, and DIR, the source tree of exactly that
# OpenSC, is taken instead of fetching one (configure checks its version).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ]; then
	OPENSC_JPKI_OPENSC_SRC=$(cd "$OPENSC_JPKI_OPENSC_SRC" 2>/dev/null && pwd) ||
		{ echo "install-deps: OPENSC_JPKI_OPENSC_SRC: no folder $OPENSC_JPKI_OPENSC_SRC" >&2; exit 1; }
fi
demo=no
[ "${1:-}" != "--demo" ] || demo=yes

# No package name tied to one Debian release: libclang-rt-dev (llvm-defaults)
# brings the sanitizer and libFuzzer runtimes of whatever clang is the default
# (libclang-rt-14-dev on bookworm, a later one on trixie and sid).
packages="
build-essential autoconf automake libtool pkg-config dpkg-dev
libssl-dev libcmocka-dev libpcsclite-dev zlib1g-dev
pcscd vsmartcard-vpcd openssl util-linux procps iproute2
"
if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ]; then
	[ -f "$OPENSC_JPKI_OPENSC_SRC/src/libopensc/opensc.h" ] ||
		{ echo "install-deps: OPENSC_JPKI_OPENSC_SRC=$OPENSC_JPKI_OPENSC_SRC is no OpenSC source tree (no src/libopensc/opensc.h)" >&2; exit 1; }
	# Only that a library is there: asking its version needs the compiler
	# installed below (configure asks it, and compares it with the tree's).
	"$here/opensc-version.sh" --lib >/dev/null ||
		{ echo "install-deps: OPENSC_JPKI_OPENSC_SRC is set, but no OpenSC is installed: install it first (its libopensc, opensc-tool, pkcs15-tool, pkcs11-tool, opensc-pkcs11.so)" >&2; exit 1; }
	for tool in opensc-tool pkcs15-tool pkcs11-tool; do
		command -v "$tool" >/dev/null 2>&1 ||
			{ echo "install-deps: OPENSC_JPKI_OPENSC_SRC is set, but the installed OpenSC has no $tool on PATH" >&2; exit 1; }
	done
else
	packages="$packages opensc opensc-pkcs11"
fi
if [ "$demo" = no ]; then
	# The sanitizer and fuzzing builds, valgrind, and the real clients.
	packages="$packages clang libclang-rt-dev valgrind"
	[ -z "${OPENSC_JPKI_EXTRA_PACKAGES:-}" ] || packages="$packages $OPENSC_JPKI_EXTRA_PACKAGES"
	if [ -f "$here/packages-extra.txt" ]; then
		packages="$packages $(grep -v '^#' "$here/packages-extra.txt" | tr '\n' ' ')"
	fi
fi

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "install-deps: missing packages:$missing (run as root)" >&2; exit 1; }
	"$here/apt-update.sh" --if-stale
	# An archive without the metapackage: name the runtime of its default clang.
	case " $missing " in *" libclang-rt-dev "*)
		if ! apt-cache show libclang-rt-dev >/dev/null 2>&1; then
			major=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
			[ -n "$major" ] || { echo "install-deps: no libclang-rt-dev and no clang-N behind clang in this archive" >&2; exit 1; }
			missing=$(echo "$missing" | sed "s/ libclang-rt-dev\\b/ libclang-rt-$major-dev/")
		fi ;;
	esac
	echo "install-deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
[ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ] || "$here/fetch-opensc-src.sh" >/dev/null
