#!/bin/sh
# Prints the version of the libopensc that the stock tools load, e.g. "0.23.0".
# Asked of the library itself (sc_get_version), not of a package database, so the
# answer is right however OpenSC was installed; the file is opened by its path
# (dlopen), so OPENSC_LIB=/opt/x/libopensc.so.N asks that file, not whichever
# library of that soname the dynamic linker would find.
#   opensc-version.sh [--lib]    --lib: print the library's path instead
# Needs a C compiler (${CC:-cc}); says so when there is none.
set -eu
lib=${OPENSC_LIB:-}
if [ -z "$lib" ]; then
	for candidate in /usr/lib/*-linux-gnu/libopensc.so.* /usr/lib64/libopensc.so.* /usr/lib/libopensc.so.* /usr/local/lib/libopensc.so.* /usr/local/lib/*-linux-gnu/libopensc.so.*; do
		[ -e "$candidate" ] && { lib=$candidate; break; }
	done
fi
[ -n "$lib" ] || { echo "opensc-version: no libopensc.so found (install OpenSC: Debian's opensc-pkcs11, or your own build)" >&2; exit 1; }
[ -e "$lib" ] || { echo "opensc-version: no library at $lib" >&2; exit 1; }
if [ "${1:-}" = --lib ]; then
	echo "$lib"
	exit 0
fi
command -v "${CC:-cc}" >/dev/null 2>&1 ||
	{ echo "opensc-version: no C compiler (${CC:-cc}) to ask $lib its version (Debian: apt-get install build-essential)" >&2; exit 1; }
case "$lib" in /*) ;; *) lib=$(pwd)/$lib ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/v.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	const char *(*version)(void);

	if (argc != 2 || handle == NULL) {
		fprintf(stderr, "opensc-version: %s\n", handle == NULL ? dlerror() : "usage");
		return 1;
	}
	*(void **)&version = dlsym(handle, "sc_get_version");
	if (version == NULL || version() == NULL) {
		fprintf(stderr, "opensc-version: %s has no sc_get_version\n", argv[1]);
		return 1;
	}
	puts(version());
	return 0;
}
C
${CC:-cc} -o "$tmp/v" "$tmp/v.c" -ldl 2>"$tmp/err" || ${CC:-cc} -o "$tmp/v" "$tmp/v.c" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
"$tmp/v" "$lib"
