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

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
builddir=$top/build/$flavour
mkdir -p "$builddir"
cd "$builddir"
# A build configured against another OpenSC tree than the one asked for now.
other_tree=no
if [ -n "${OPENSC_JPKI_OPENSC_SRC:-}" ] && [ -f Makefile ]; then
	want=$(cd "$OPENSC_JPKI_OPENSC_SRC" && pwd)
	grep -qx "OPENSC_SRC = $want" Makefile || other_tree=yes
fi
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] || [ "$other_tree" = yes ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags ${OPENSC_JPKI_OPENSC_SRC:+"--with-opensc-src=$OPENSC_JPKI_OPENSC_SRC"}
fi
make -s -j"$jobs" all >/dev/null
[ "$flavour" = plain ] || exit 0
make -s -j"$jobs" check TESTS= >/dev/null
