#!/bin/sh
# Fetches the OpenSC source tree of exactly the installed libopensc version into a
# cache outside version control and records the feature macros Debian built that
# libopensc with, so our structs have the same layout as the library's.
# Prints the tree's path on stdout. Idempotent: a tree already in the cache is reused.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$("$here/opensc-version.sh")
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
tree=$cache/opensc-$version
features=$tree/opensc-jpki-features.txt

if [ -f "$features" ] && [ -f "$tree/src/libopensc/opensc.h" ]; then
	echo "$tree"
	exit 0
fi

command -v dpkg-query >/dev/null || { echo "fetch-opensc-src: not a Debian system; fetch OpenSC $version yourself and pass --with-opensc-src=DIR to configure" >&2; exit 1; }
pkg_version=$(dpkg-query -W -f '${Version}' opensc-pkcs11)
case "$pkg_version" in
	"$version"-*|"$version") ;;
	*) echo "fetch-opensc-src: package opensc-pkcs11 is $pkg_version but libopensc says $version" >&2; exit 1 ;;
esac

# Adds deb-src entries mirroring the binary ones, in whichever format the system
# uses: deb822 (*.sources, Debian 12 containers) or one-line (sources.list,
# Debian 12 installed from an image).
add_deb_src() {
	[ "$(id -u)" = 0 ] || { echo "fetch-opensc-src: needs root to add a deb-src entry to apt's sources" >&2; exit 1; }
	deb822=/etc/apt/sources.list.d/opensc-jpki-src.sources
	oneline=/etc/apt/sources.list.d/opensc-jpki-src.list
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$deb822" ] || continue
		sed -n 's/^Types: *deb$/Types: deb-src/; /^#/d; p' "$f"
		echo
	done > "$deb822"
	grep -q '^Types: deb-src' "$deb822" || rm -f "$deb822"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && [ "$f" != "$oneline" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
	done > "$oneline"
	[ -s "$oneline" ] || rm -f "$oneline"
	[ -f "$deb822" ] || [ -f "$oneline" ] || { echo "fetch-opensc-src: found no binary apt source to derive a deb-src entry from" >&2; exit 1; }
	apt-get update -q >/dev/null
}

if ! apt-get source --print-uris "opensc=$pkg_version" >/dev/null 2>&1; then
	add_deb_src
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -q "opensc=$pkg_version" >/dev/null 2>"$work/log") || { cat "$work/log" >&2; exit 1; }
unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'opensc-*' | head -n 1)
[ -n "$unpacked" ] || { echo "fetch-opensc-src: apt-get source left no tree" >&2; exit 1; }

tree_version=$("$here/opensc-src-version.sh" "$unpacked")
[ "$tree_version" = "$version" ] || { echo "fetch-opensc-src: source is $tree_version, library is $version" >&2; exit 1; }

# The macros that change struct layouts, as Debian's build enables them:
# debian/rules passes --enable-sm/--enable-zlib/--enable-pcsc, and OpenSSL is
# enabled by configure whenever libssl-dev is a build dependency.
{
	grep -q -- '--enable-sm' "$unpacked/debian/rules" && echo "-DENABLE_SM"
	grep -q 'libssl-dev' "$unpacked/debian/control" && echo "-DENABLE_OPENSSL"
	grep -q -- '--enable-zlib' "$unpacked/debian/rules" && echo "-DENABLE_ZLIB"
	grep -q -- '--enable-pcsc' "$unpacked/debian/rules" && echo "-DENABLE_PCSC"
	true
} > "$unpacked/opensc-jpki-features.txt"

rm -rf "$tree"
mv "$unpacked" "$tree"
echo "$tree"
