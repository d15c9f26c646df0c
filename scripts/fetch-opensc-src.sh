#!/bin/sh
# Fetches the OpenSC source tree of exactly the installed libopensc version into a
# cache outside version control and records the feature macros that libopensc
# was built with, so our structs have the same layout as the library's.
# Prints the tree's path on stdout. Idempotent: a tree already in the cache is reused.
#
# The source: `apt-get source` (Debian's tree, patches applied) where the archive
# serves the whole source package (bookworm). Where it does not (this archive has
# only the .orig.tar.gz of trixie's and sid's opensc), the release's upstream
# tarball from the same pool, plus Debian's patches when they can be had.
# OPENSC_JPKI_FETCH=pool skips apt-get source (to test that path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$("$here/opensc-version.sh")
lib=$("$here/opensc-version.sh" --lib)
cache=${OPENSC_JPKI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/opensc-jpki}
tree=$cache/opensc-$version
features=$tree/opensc-jpki-features.txt
note() { echo "fetch-opensc-src: $*" >&2; }
fail() { note "$@"; exit 1; }

if [ -f "$features" ] && [ -f "$tree/src/libopensc/opensc.h" ]; then
	echo "$tree"
	exit 0
fi

command -v dpkg-query >/dev/null || fail "not a Debian system; fetch OpenSC $version yourself and pass --with-opensc-src=DIR and --with-opensc-features=... to configure"
pkg_version=$(dpkg-query -W -f '${Version}' opensc-pkcs11)
case "$pkg_version" in
	"$version"-*|"$version"|*:"$version"-*|*:"$version") ;;
	*) fail "package opensc-pkcs11 is $pkg_version but libopensc says $version" ;;
esac

# Adds deb-src entries mirroring the binary ones, in whichever format the system
# uses: deb822 (*.sources, Debian 12 containers) or one-line (sources.list,
# Debian 12 installed from an image, debootstrap).
add_deb_src() {
	[ "$(id -u)" = 0 ] || fail "needs root to add a deb-src entry to apt's sources"
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
	[ -f "$deb822" ] || [ -f "$oneline" ] || fail "found no binary apt source to derive a deb-src entry from"
	for f in "$deb822" "$oneline"; do
		[ ! -f "$f" ] || note "added deb-src entries for apt-get source in $f (delete it to undo)"
	done
	"$here/apt-update.sh"
}

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The upstream tarball and Debian's patches, straight from the archive's pool:
# the file names and hashes from the Sources index when apt has one, else the
# pool directory of the installed binary package.
fetch_from_pool() {
	upstream=${pkg_version#*:}
	upstream=${upstream%-*}
	revision=${pkg_version#*:}
	uris=$(apt-get source -qq --print-uris "opensc=$pkg_version" 2>/dev/null | tr -d "'" || true)
	if [ -z "$uris" ]; then
		deb=$(apt-get download -qq --print-uris "opensc-pkcs11=$pkg_version" 2>/dev/null | tr -d "'" | cut -d' ' -f1 || true)
		[ -n "$deb" ] || fail "apt knows no download address for opensc-pkcs11 $pkg_version (apt-get update?)"
		pool=${deb%/*}
		uris="$pool/opensc_$upstream.orig.tar.gz opensc_$upstream.orig.tar.gz - -
$pool/opensc_$revision.debian.tar.xz opensc_$revision.debian.tar.xz - -"
	fi
	orig=""
	debian=""
	# Lines: URI NAME SIZE HASH ("-" when unknown; apt-helper then checks nothing).
	while read -r uri name _ hash; do
		case "$name" in
			*.orig.tar.*) kind=orig ;;
			*.debian.tar.*) kind=debian ;;
			*) continue ;;
		esac
		[ "$hash" != - ] || hash=""
		# shellcheck disable=SC2086
		if /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$work/$name" $hash > "$work/dl.log" 2>&1; then
			if [ "$kind" = orig ]; then orig=$work/$name; else debian=$work/$name; fi
		elif [ "$kind" = orig ]; then
			cat "$work/dl.log" >&2
			fail "cannot download the upstream source $uri"
		else
			note "Debian's patches for opensc $pkg_version could not be had ($uri: $(grep -o '[0-9][0-9][0-9] *[A-Z][A-Za-z ]*' "$work/dl.log" | head -n 1)); building against the unpatched upstream $upstream source"
		fi
	done <<-EOF
	$uris
	EOF
	[ -n "$orig" ] || fail "the archive lists no upstream tarball for opensc $pkg_version"
	mkdir "$work/unpack"
	tar -xf "$orig" -C "$work/unpack"
	unpacked=$(find "$work/unpack" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$unpacked" ] || fail "$orig holds no directory"
	[ -n "$debian" ] || return 0
	tar -xf "$debian" -C "$unpacked"
	[ -f "$unpacked/debian/patches/series" ] || return 0
	# The series as dpkg-source applies it (format 3.0 (quilt), -p1).
	sed 's/#.*//' "$unpacked/debian/patches/series" | while read -r patch _; do
		[ -n "$patch" ] || continue
		patch -s -p1 -d "$unpacked" --no-backup-if-mismatch < "$unpacked/debian/patches/$patch" ||
			fail "Debian patch $patch does not apply"
	done
	note "applied Debian's patches for opensc $pkg_version to the upstream $upstream source"
}

unpacked=""
if [ "${OPENSC_JPKI_FETCH:-}" != pool ]; then
	if ! apt-get source --print-uris "opensc=$pkg_version" >/dev/null 2>&1; then
		add_deb_src
	fi
	if (cd "$work" && apt-get source -q "opensc=$pkg_version" >/dev/null 2>"$work/log"); then
		unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'opensc-*' | head -n 1)
		[ -n "$unpacked" ] || fail "apt-get source left no tree"
	else
		note "apt-get source opensc=$pkg_version failed ($(grep '^E:' "$work/log" | head -n 1)); taking the release's files from the archive's pool instead"
		rm -rf "$work"/opensc* "$work/log"
	fi
fi
[ -n "$unpacked" ] || fetch_from_pool

tree_version=$("$here/opensc-src-version.sh" "$unpacked")
[ "$tree_version" = "$version" ] || fail "source is $tree_version, library is $version"

# The macros that change struct layouts, as the installed libopensc was built.
"$here/opensc-features.sh" "$unpacked" > "$work/features"
# Where Debian's packaging came along, it must tell the same: debian/rules
# passes --enable-sm/--enable-zlib/--enable-pcsc, and OpenSSL is enabled by
# configure whenever libssl-dev is a build dependency.
if [ -f "$unpacked/debian/rules" ] && [ -f "$unpacked/debian/control" ]; then
	{
		grep -q -- '--enable-sm' "$unpacked/debian/rules" && echo "-DENABLE_SM"
		grep -q 'libssl-dev' "$unpacked/debian/control" && echo "-DENABLE_OPENSSL"
		grep -q -- '--enable-zlib' "$unpacked/debian/rules" && echo "-DENABLE_ZLIB"
		grep -q -- '--enable-pcsc' "$unpacked/debian/rules" && echo "-DENABLE_PCSC"
		true
	} > "$work/features.debian"
	cmp -s "$work/features" "$work/features.debian" ||
		fail "the installed OpenSC reports $(tr '\n' ' ' < "$work/features")but its Debian packaging says $(tr '\n' ' ' < "$work/features.debian")"
fi
mv "$work/features" "$unpacked/opensc-jpki-features.txt"

rm -rf "$tree"
mv "$unpacked" "$tree"
echo "$tree"
