#!/bin/sh
# Prints the version of the libopensc that the stock tools load, e.g. "0.23.0".
# Asked of the library itself (sc_get_version), not of a package database, so the
# answer is right however OpenSC was installed.
#   opensc-version.sh [--lib]    --lib: print the library's path instead
set -eu
lib=${OPENSC_LIB:-}
if [ -z "$lib" ]; then
	for candidate in /usr/lib/*-linux-gnu/libopensc.so.* /usr/lib64/libopensc.so.* /usr/lib/libopensc.so.* /usr/local/lib/libopensc.so.*; do
		[ -e "$candidate" ] && { lib=$candidate; break; }
	done
fi
[ -n "$lib" ] || { echo "opensc-version: no libopensc.so found (install opensc-pkcs11)" >&2; exit 1; }
if [ "${1:-}" = --lib ]; then
	echo "$lib"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'const char *sc_get_version(void);\n#include <stdio.h>\nint main(void){puts(sc_get_version());return 0;}\n' > "$tmp/v.c"
${CC:-cc} -o "$tmp/v" "$tmp/v.c" "$lib" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
"$tmp/v"
