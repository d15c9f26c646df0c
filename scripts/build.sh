#!/bin/sh
# Configures and builds one flavour of the project out of tree.
#   build.sh plain|sanitizers|fuzz   -> build/plain, build/sanitizers, build/fuzz
# Idempotent: reconfigures only when configure is newer than the build.
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
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags
fi
make -s -j"$jobs" all >/dev/null
[ "$flavour" = plain ] || exit 0
make -s -j"$jobs" check TESTS= >/dev/null
