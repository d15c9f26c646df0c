#!/bin/sh
# Configures and builds one flavour of the project out of tree.
#   build.sh plain|sanitizers|fuzz   -> build/plain, build/sanitizers, build/fuzz
# Idempotent: reconfigures only when configure is newer than the build.
# OPENSC_JPKI_OPENSC_SRC=DIR: configure --with-opensc-src=DIR (an OpenSC not
# from Debian's packages; see install-deps.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-plain}
case "$flavour" in
	plain) flags="" ;;
	sanitizers) flags="--enable-sanitizers" ;;
	fuzz) flags="--enable-fuzzing CC=clang" ;;
	*) echo "build.sh: unknown flavour $flavour (plain|sanitizers|fuzz)" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ]; then
	# Absolute: configure runs in build/FLAVOUR.
	OPENSC_JPKI_OPENSC_SRC=$(cd "$OPENSC_JPKI_OPENSC_SRC" 2>/dev/null && pwd) ||
		{ echo "build.sh: OPENSC_JPKI_OPENSC_SRC: no folder $OPENSC_JPKI_OPENSC_SRC" >&2; exit 2; }
fi

# Debian's OpenSC: the tree of the installed package revision, fetched again
# by fetch-opensc-src.sh when that revision changed (a security update may
# patch a struct); a build configured before the tree was replaced is
# configured again below.
tree_origin=""
if [ -z "${OPENSC_JPKI_OPENSC_SRC:-}" ] && command -v dpkg-query >/dev/null 2>&1; then
	tree_origin=$("$top/scripts/fetch-opensc-src.sh")/opensc-jpki-origin.txt
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
builddir=$top/build/$flavour
mkdir -p "$builddir"
cd "$builddir"
# A build configured for another OpenSC than the one installed now (an
# upgrade), or against another tree than the one asked for now (DIR set,
# changed or unset), is configured again.
stale=no
if [ -f Makefile ]; then
	installed=$("$top/scripts/opensc-version.sh" 2>/dev/null || true)
	grep -qxF "OPENSC_INSTALLED_VERSION = $installed" Makefile || stale=yes
	if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ]; then
		grep -qxF "OPENSC_SRC = $OPENSC_JPKI_OPENSC_SRC" Makefile || stale=yes
	else
		# As configure writes it: the folder's path made plain (cd; pwd).
		cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
		tree=$(cd "$cache/opensc-$installed" 2>/dev/null && pwd || echo "$cache/opensc-$installed")
		grep -qxF "OPENSC_SRC = $tree" Makefile || stale=yes
	fi
fi
[ -z "$tree_origin" ] || [ ! -f config.status ] || [ ! "$tree_origin" -nt config.status ] || stale=yes
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] || [ "$stale" = yes ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags ${OPENSC_JPKI_OPENSC_SRC:+"--with-opensc-src=$OPENSC_JPKI_OPENSC_SRC"}
fi
make -s -j"$jobs" all >/dev/null
[ "$flavour" = plain ] || exit 0
make -s -j"$jobs" check TESTS= >/dev/null
